// The tests run nginx and a TCP proxy on 127.0.0.1 and read volumes as files: they run on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
