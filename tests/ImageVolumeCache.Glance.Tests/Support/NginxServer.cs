using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ImageVolumeCache.Glance.Tests.Support;

/// <summary>
/// A real nginx (Debian's nginx-light) on 127.0.0.1 and a free port, serving a Glance-shaped tree made by the tests:
/// <c>/v2/images/{id}</c> from <c>meta/{id}.json</c> and <c>/v2/images/{id}/file</c> from <c>data/{id}</c>, with nginx's
/// own ETag, Last-Modified, Range and If-Range. A few ids behave as Glance does for special cases: <c>forbidden-*</c>
/// answers 403, <c>token-*</c> is found only with <c>X-Auth-Token: secret-token</c>, <c>project-*</c> only with
/// <c>X-Project-Id: project-a</c>, and the data of <c>norange-*</c> is always sent whole (200 to a Range). When nginx is
/// missing the calling test is ignored, except under <c>CI=true</c>, where it fails.
/// </summary>
internal sealed class NginxServer : IDisposable
{
    public const string Token = "secret-token";
    public const string Project = "project-a";

    private readonly Process _process;
    private readonly TemporaryDirectory _folder;

    private NginxServer(TemporaryDirectory folder, Process process, int port)
    {
        _folder = folder;
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");

    /// <summary>Where the served tree lives: <c>meta/</c> and <c>data/</c>.</summary>
    public string Root => _folder.Combine("root");

    public static NginxServer Start()
    {
        string? nginx = new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx" }.FirstOrDefault(File.Exists);
        if (nginx is null)
        {
            RealComponent.Missing("nginx is missing: install Debian's nginx-light package (.ci/run does).");
        }

        var folder = new TemporaryDirectory();
        // nginx's workers may run as another user: the tree must be readable by them.
        File.SetUnixFileMode(folder.Path, (UnixFileMode)0b111_101_101);
        foreach (string sub in new[] { "root", "root/meta", "root/data", "temp" })
        {
            Directory.CreateDirectory(folder.Combine(sub));
        }

        int port = FreePort();
        string config = folder.Combine("nginx.conf");
        File.WriteAllText(config, Config(folder, port));
        var start = new ProcessStartInfo(nginx!)
        {
            ArgumentList = { "-p", folder.Path, "-e", folder.Combine("error.log"), "-c", config, "-g", "daemon off;" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        Process process = Process.Start(start)!;
        var server = new NginxServer(folder, process, port);
        server.WaitUntilListening();
        return server;
    }

    private static string Config(TemporaryDirectory folder, int port)
    {
        string temp = folder.Combine("temp");
        string root = folder.Combine("root");
        string user = Environment.UserName == "root" ? "user root;" : string.Empty;
        return $$"""
            {{user}}
            worker_processes 1;
            pid {{folder.Combine("nginx.pid")}};
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{temp}}/body;
                proxy_temp_path {{temp}}/proxy;
                fastcgi_temp_path {{temp}}/fastcgi;
                uwsgi_temp_path {{temp}}/uwsgi;
                scgi_temp_path {{temp}}/scgi;
                sendfile on;
                server {
                    listen 127.0.0.1:{{port}};
                    root {{root}};
                    location ~ ^/v2/images/forbidden- { return 403; }
                    location ~ ^/v2/images/(token-[^/]+)$ {
                        if ($http_x_auth_token != "{{Token}}") { return 404; }
                        default_type application/json;
                        try_files /meta/$1.json =404;
                    }
                    location ~ ^/v2/images/(project-[^/]+)$ {
                        if ($http_x_project_id != "{{Project}}") { return 404; }
                        default_type application/json;
                        try_files /meta/$1.json =404;
                    }
                    location ~ ^/v2/images/(norange-[^/]+)/file$ {
                        max_ranges 0;
                        default_type application/octet-stream;
                        try_files /data/$1 =404;
                    }
                    location ~ ^/v2/images/([^/]+)/file$ {
                        default_type application/octet-stream;
                        try_files /data/$1 =404;
                    }
                    location ~ ^/v2/images/([^/]+)$ {
                        default_type application/json;
                        try_files /meta/$1.json =404;
                    }
                }
            }
            """;
    }

    private void WaitUntilListening()
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                string log = File.Exists(_folder.Combine("error.log")) ? File.ReadAllText(_folder.Combine("error.log")) : string.Empty;
                throw new InvalidOperationException($"nginx exited with code {_process.ExitCode}: {_process.StandardError.ReadToEnd()} {log}");
            }

            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new TimeoutException($"nginx did not listen on 127.0.0.1:{Port} within 20 s.");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
            _folder.Dispose();
        }
    }
}
