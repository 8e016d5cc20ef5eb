using System.Text;
using ImageVolumeCache.Sqlite.Tests.Support;

namespace ImageVolumeCache.Sqlite.Tests.Storage;

/// <summary>
/// The store writes only to files it made: its own are marked by <c>PRAGMA application_id</c>; any other file is refused
/// before the first write and left byte for byte as it was.
/// </summary>
public sealed class SqliteFileOwnershipTests : TempFolderTests
{
    /// <summary>"IVCS" in ASCII: the documented application id of the store's files, part of the file format.</summary>
    private const long StoreApplicationId = 0x49564353;

    [Test]
    public async Task A_new_file_gets_the_application_id_of_the_store()
    {
        string path = Folder.Combine("cache.db");

        await InitializeAsync(path);

        Assert.That(SqliteFile.Query(path, "PRAGMA application_id"), Is.EqualTo(StoreApplicationId));
    }

    [Test]
    public async Task An_empty_file_is_made_into_a_store()
    {
        string path = Folder.Combine("cache.db");
        await File.WriteAllBytesAsync(path, []);

        await InitializeAsync(path);

        Assert.That(SqliteFile.Query(path, "PRAGMA application_id"), Is.EqualTo(StoreApplicationId));
        Assert.That(SqliteFile.Query(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'cache_entries'"), Is.EqualTo(1L));
    }

    [Test]
    public async Task A_database_of_another_application_is_refused_and_left_byte_for_byte_as_it_was()
    {
        string path = Folder.Combine("other.db");
        SqliteFile.Execute(path, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada')");

        await AssertRefusedAndUntouchedAsync(path, "not an image-volume cache store");
    }

    [Test]
    public async Task A_database_of_another_application_with_a_schema_version_table_is_refused_and_left_as_it_was()
    {
        string path = Folder.Combine("other.db");
        SqliteFile.Execute(
            path,
            "CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1, 0); "
            + "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER)");

        await AssertRefusedAndUntouchedAsync(path, "not an image-volume cache store");
    }

    [Test]
    public async Task A_database_marked_with_another_application_id_is_refused_even_with_no_tables()
    {
        string path = Folder.Combine("other.db");
        SqliteFile.Execute(path, "PRAGMA application_id = 1179403338");

        await AssertRefusedAndUntouchedAsync(path, "application_id 0x464C444A");
    }

    [TestCase(false, TestName = "A_file_of_random_bytes_is_refused_and_left_byte_for_byte_as_it_was")]
    [TestCase(true, TestName = "A_file_of_random_bytes_behind_a_SQLite_header_is_refused_and_left_byte_for_byte_as_it_was")]
    public async Task A_file_that_is_not_a_database_is_refused_and_left_as_it_was(bool withSqliteHeader)
    {
        string path = Folder.Combine("cache.db");
        byte[] bytes = new byte[8192];
        new Random(7).NextBytes(bytes);
        if (withSqliteHeader)
        {
            Encoding.ASCII.GetBytes("SQLite format 3\0").CopyTo(bytes, 0);
        }

        await File.WriteAllBytesAsync(path, bytes);

        await AssertRefusedAndUntouchedAsync(path, path);
    }

    [Test]
    public async Task A_store_file_of_an_earlier_release_without_the_application_id_is_refused_saying_to_move_it_aside()
    {
        string path = Folder.Combine("cache.db");
        using (var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path }))
        {
            await store.TryAddAsync(StoreEntries.Entry("image-a", "volume-a"), CancellationToken.None);
        }

        SqliteFile.Execute(path, "PRAGMA application_id = 0");

        await AssertRefusedAndUntouchedAsync(path, "move it aside");
    }

    private static async Task InitializeAsync(string path)
    {
        using var store = new SqliteCacheEntryStore(new SqliteCacheEntryStoreOptions { DatabasePath = path });
        await store.InitializeAsync(CancellationToken.None);
    }

    private static async Task AssertRefusedAndUntouchedAsync(string path, string why)
    {
        string before = SqliteFile.Hash(path);

        CacheEntryStoreException? error = await SqliteFile.InitializeFailureAsync(path);

        Assert.That(error?.Message, Does.Contain(path).And.Contain(why));
        Assert.That(error!.Location, Is.EqualTo(path));
        Assert.That(SqliteFile.Hash(path), Is.EqualTo(before), "The file was changed.");
    }
}
