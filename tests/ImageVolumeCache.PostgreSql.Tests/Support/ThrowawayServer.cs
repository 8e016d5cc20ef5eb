using System.Diagnostics;

namespace ImageVolumeCache.PostgreSql.Tests.Support;

/// <summary>
/// A PostgreSQL server of a test's own, started by <c>eng/postgres.sh</c> like the shared one, for a test that stops it
/// (an outage) without cutting off every other test; stopped and removed when disposed.
/// </summary>
public sealed class ThrowawayServer : IAsyncDisposable
{
    private readonly string _state;

    private ThrowawayServer(string state, string connectionString)
    {
        _state = state;
        ConnectionString = connectionString;
    }

    /// <summary>The server's Npgsql connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>Starts a server, recording it in <paramref name="state"/>; a test that cannot start one is ignored (failed under CI=true).</summary>
    public static async Task<ThrowawayServer> StartAsync(string state)
    {
        (int code, string output, string errors) = await RunAsync("start", state);
        string? export = output.Split('\n').LastOrDefault(l => l.StartsWith("export IMAGEVOLUMECACHE_POSTGRES=", StringComparison.Ordinal));
        if (code != 0 || export is null)
        {
            RealComponent.Missing($"eng/postgres.sh start could not start a server of the test's own: {errors}");
        }

        return new ThrowawayServer(state, export!["export IMAGEVOLUMECACHE_POSTGRES=".Length..].Trim('\''));
    }

    /// <summary>Stops the server as an outage would: its clients are cut off, and new connections are refused.</summary>
    public Task DownAsync() => RunCheckedAsync("down");

    /// <summary>Starts the server again on the same port with the same data.</summary>
    public Task UpAsync() => RunCheckedAsync("up");

    public async ValueTask DisposeAsync() => await RunAsync("stop", _state);

    private async Task RunCheckedAsync(string command)
    {
        (int code, _, string errors) = await RunAsync(command, _state);
        Assert.That(code, Is.Zero, $"eng/postgres.sh {command}: {errors}");
    }

    private static async Task<(int Code, string Output, string Errors)> RunAsync(string command, string state)
    {
        var start = new ProcessStartInfo("bash", [Script(), command, state])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>eng/postgres.sh of the checkout the tests were built from.</summary>
    private static string Script()
    {
        for (DirectoryInfo? folder = new(TestContext.CurrentContext.TestDirectory); folder is not null; folder = folder.Parent)
        {
            string script = Path.Combine(folder.FullName, "eng", "postgres.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new FileNotFoundException("eng/postgres.sh was not found above the test directory.");
    }
}
