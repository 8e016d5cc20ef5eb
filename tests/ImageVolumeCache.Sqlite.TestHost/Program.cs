using ImageVolumeCache.Sqlite.TestHost;

// race <database> <start-file> <name> <own-images>: two processes adding entries to one database file.
// share <volumes-dir> <images-dir> <store> <name> <requests> <seed> <start-file> <backend> <cluster|-> <image-id>...: one of several processes (or cluster hosts) sharing a backend and a store, with a cache of one entry.
// herd <volumes-dir> <images-dir> <store> <name> <requests> <start-file> <image-id> [<backend> <cluster>]: one of several processes (or cluster hosts) asking for one uncached image at once.
// hold <volumes-dir> <images-dir> <store> <image-id> <backend> <cluster>: takes the fill lease of an uncached image and hangs in the fill until killed.
// convert <volumes-dir> <images-dir> <store> <scratch-dir> <image-id>: converts an uncached image slowly (qemu-img throttled) until killed.
// crash <volumes-dir> <images-dir> <database> <run> <image-id>...: creates volumes from images until killed.
return args switch
{
    ["race", ..] => await RaceCommand.RunAsync(args[1..]),
    ["crash", ..] => await CrashCommand.RunAsync(args[1..]),
    ["share", ..] => await ShareCommand.RunAsync(args[1..]),
    ["herd", ..] => await HerdCommand.RunAsync(args[1..]),
    ["hold", ..] => await HoldCommand.RunAsync(args[1..]),
    ["convert", ..] => await ConvertCommand.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: race <database> <start-file> <name> <own-images> | crash <volumes-dir> <images-dir> <database> <run> <image-id>... | share <volumes-dir> <images-dir> <store> <name> <requests> <seed> <start-file> <backend> <cluster|-> <image-id>... | herd <volumes-dir> <images-dir> <store> <name> <requests> <start-file> <image-id> [<backend> <cluster>] | hold <volumes-dir> <images-dir> <store> <image-id> <backend> <cluster> | convert <volumes-dir> <images-dir> <store> <scratch-dir> <image-id>");
    return 2;
}
