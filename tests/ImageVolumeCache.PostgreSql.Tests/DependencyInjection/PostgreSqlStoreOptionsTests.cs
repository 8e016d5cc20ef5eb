using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ImageVolumeCache.PostgreSql.Tests.DependencyInjection;

/// <summary>Options checked at start-up, each message naming the option; and the store taking the in-memory store's place. No server needed.</summary>
public sealed class PostgreSqlStoreOptionsTests
{
    private const string Valid = "Host=db1;Database=cinder;Username=cinder;Password=secret";

    [Test]
    public void Options_without_a_connection_string_fail_validation_naming_it()
    {
        string message = ValidationFailure(_ => { });

        Assert.That(message, Does.Contain("PostgreSqlCacheEntryStoreOptions.ConnectionString must be set (UsePostgreSqlStore)"));
    }

    [TestCase("Host=db1;Bogus=1", "PostgreSqlCacheEntryStoreOptions.ConnectionString is not a valid Npgsql connection string")]
    [TestCase("Database=cinder;Username=cinder", "PostgreSqlCacheEntryStoreOptions.ConnectionString must name the server in Host.")]
    public void A_bad_connection_string_fails_validation_naming_the_option(string connectionString, string expected)
    {
        string message = ValidationFailure(o => o.ConnectionString = connectionString);

        Assert.That(message, Does.Contain(expected));
    }

    [Test]
    public void A_message_about_the_connection_string_never_shows_the_password()
    {
        string message = ValidationFailure(o => o.ConnectionString = "Password=hunter2-secret;Bogus=1");

        Assert.That(message, Does.Not.Contain("hunter2-secret"));
    }

    [TestCase("", "PostgreSqlCacheEntryStoreOptions.Schema must be set (default image_volume_cache).")]
    [TestCase("Image_Cache", "PostgreSqlCacheEntryStoreOptions.Schema must be lower-case letters a-z, digits and '_', starting with a letter or '_', but was 'Image_Cache'.")]
    [TestCase("cache\"; DROP SCHEMA public; --", "PostgreSqlCacheEntryStoreOptions.Schema must be lower-case letters a-z")]
    [TestCase("1cache", "but was '1cache'")]
    [TestCase("pg_cache", "PostgreSqlCacheEntryStoreOptions.Schema must not start with 'pg_' (reserved by PostgreSQL), but was 'pg_cache'.")]
    [TestCase("a123456789a123456789a123456789a123456789a123456789a123456789abcd", "PostgreSqlCacheEntryStoreOptions.Schema must be at most 63 characters, but was 64.")]
    public void A_schema_name_that_cannot_be_used_fails_validation_naming_the_option(string schema, string expected)
    {
        string message = ValidationFailure(o =>
        {
            o.ConnectionString = Valid;
            o.Schema = schema;
        });

        Assert.That(message, Does.Contain(expected));
    }

    [Test]
    public void Valid_options_pass_and_the_schema_defaults_to_image_volume_cache()
    {
        using ServiceProvider provider = StoreServices.With(builder => builder.UsePostgreSqlStore(Valid)).BuildServiceProvider();

        Assert.DoesNotThrow(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.That(provider.GetRequiredService<PostgreSqlCacheEntryStore>().Schema, Is.EqualTo("image_volume_cache"));
    }

    [Test]
    public void The_store_replaces_the_in_memory_store()
    {
        using ServiceProvider provider = StoreServices.With(builder => builder.UsePostgreSqlStore(Valid)).BuildServiceProvider();

        Assert.That(provider.GetRequiredService<ICacheEntryStore>(), Is.SameAs(provider.GetRequiredService<PostgreSqlCacheEntryStore>()));
    }

    [Test]
    public void The_store_is_made_and_checked_when_the_host_starts()
    {
        using ServiceProvider provider = StoreServices.With(builder => builder.UsePostgreSqlStore(Valid)).BuildServiceProvider();

        Assert.That(provider.GetServices<IHostedService>().Select(s => s.GetType().Name), Does.Contain("PostgreSqlStoreStartupCheck"));
    }

    [Test]
    public void A_store_made_with_bad_options_throws_naming_the_option()
    {
        Assert.That(
            () => new PostgreSqlCacheEntryStore(new PostgreSqlCacheEntryStoreOptions { ConnectionString = Valid, Schema = "Bad" }),
            Throws.ArgumentException.With.Message.Contains("PostgreSqlCacheEntryStoreOptions.Schema"));
    }

    private static string ValidationFailure(Action<PostgreSqlCacheEntryStoreOptions> configure)
    {
        using ServiceProvider provider = StoreServices.With(builder => builder.UsePostgreSqlStore(configure)).BuildServiceProvider();
        OptionsValidationException? error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        return error!.Message;
    }
}
