using System.Globalization;
using Databacker.Api.Client.Reporting;
using Databacker.Api.LogUpload;

// Modes: "run" (the driver: builds the NDJSON file, starts the server and compares curl with the uploader),
// "server" and "client" (the two processes the driver starts).
var mode = args.Length > 0 ? args[0] : "run";
string Option(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

var DefaultChunkBytes = new LogUploaderOptions().MaxChunkBytes; // the SDK's default
return mode switch
{
    "server" => await BenchServer.RunAsync(),
    "client" => await UploadClient.RunAsync(
        new Uri(Option("--url", "http://127.0.0.1:5000/")),
        long.Parse(Option("--lines", "100000"), CultureInfo.InvariantCulture),
        int.Parse(Option("--chunk-bytes", DefaultChunkBytes.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture)),
    "run" => await Driver.RunAsync(new DriverOptions(
        Bytes: long.Parse(Option("--bytes", (1L << 30).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
        Rounds: int.Parse(Option("--rounds", "3"), CultureInfo.InvariantCulture),
        WorkDirectory: Option("--work", Path.Combine(Path.GetTempPath(), "databacker-logupload")),
        Curl: Option("--curl", "curl"),
        ChunkBytes: int.Parse(Option("--chunk-bytes", DefaultChunkBytes.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
        Output: Option("--out", ""))),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Databacker.Api.LogUpload [run] [--bytes N] [--rounds N] [--work DIR] [--curl PATH] [--chunk-bytes N] [--out FILE]");
    return 2;
}
