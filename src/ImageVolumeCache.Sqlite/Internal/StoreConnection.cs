using Microsoft.Data.Sqlite;

namespace ImageVolumeCache.Sqlite.Internal;

/// <summary>One open connection of the store, with its statements prepared on first use and kept for reuse.</summary>
internal sealed class StoreConnection : IDisposable
{
    private readonly SqliteCommand?[] _commands = new SqliteCommand?[Sql.Texts.Length];

    public StoreConnection(SqliteConnection connection)
    {
        Connection = connection;
    }

    public SqliteConnection Connection { get; }

    /// <summary>Set when a statement failed in a way that may have left the connection unusable; it is then closed, not reused.</summary>
    public bool Broken { get; set; }

    /// <summary>Returns the prepared command of a statement with its parameters cleared, to run in <paramref name="transaction"/> or on its own.</summary>
    public SqliteCommand Command(Statement statement, SqliteTransaction? transaction = null)
    {
        SqliteCommand? command = _commands[(int)statement];
        if (command is null)
        {
            command = Connection.CreateCommand();
            command.CommandText = Sql.Texts[(int)statement];
            _commands[(int)statement] = command;
        }

        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (SqliteCommand? command in _commands)
        {
            command?.Dispose();
        }

        Connection.Dispose();
    }
}
