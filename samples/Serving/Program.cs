// Serves a trained ModelGen model over HTTP (ASP.NET Core minimal API, NativeAOT-publishable):
//   dotnet run --project samples/Serving -c Release                      train if needed, then serve on http://127.0.0.1:5080
//   dotnet run --project samples/Serving -c Release -- loadtest [clients] [requests] [seconds]
//   curl -s localhost:5080/predict -H 'content-type: application/json' -d '{"inputs":[[0.5,0.6,0.7,0.8]]}'
// Each request runs on a model instance of its own from a pool (see ModelPool), which this sample was written with
// before one shared instance became safe for Predict (the README's "Threads"); both answer correctly.
using System;
using System.Globalization;
using System.IO;
using ModelGen;
using Serving;

string weights = Environment.GetEnvironmentVariable("MODEL_WEIGHTS") ?? Path.Combine(AppContext.BaseDirectory, "forecast.mgw");
if (!File.Exists(weights)) Train(weights);
var pool = new ModelPool(weights, retained: Environment.ProcessorCount * 2);

if (args is ["loadtest", ..])
{
    const string Usage = "usage: loadtest [clients ≥ 1, default 8] [requests ≥ 1, default 20000] [seconds, 0 < s ≤ 86400, default 30]";
    double seconds = 30;
    if (args.Length > 4 || !TryArgument(args, 1, 8, out int clients) || !TryArgument(args, 2, 20_000, out int requests)
        || (args.Length > 3 && !(double.TryParse(args[3], NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) && seconds is > 0 and <= 86_400)))
    {
        Console.Error.WriteLine($"{Usage}; got '{string.Join(' ', args)}'");
        return 2;
    }
    await using var app = ServingApp.Build(pool, "http://127.0.0.1:0", quiet: true);
    await app.StartAsync();
    var address = ServingApp.Address(app);
    // Warm-up (JIT, connections), not counted.
    await LoadTest.RunAsync(address, pool.Weights, clients, Math.Min(requests, 500), TimeSpan.FromSeconds(seconds), seed: 7);
    var report = await LoadTest.RunAsync(address, pool.Weights, clients, requests, TimeSpan.FromSeconds(seconds));
    Console.WriteLine($"{Environment.ProcessorCount} cores, {report}");
    await app.StopAsync();
    return report.Wrong == 0 ? 0 : 1;
}

var server = ServingApp.Build(pool, Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "http://127.0.0.1:5080");
Console.WriteLine($"serving '{weights}' ({pool.LoadResult.Parameters} parameters)");
await server.RunAsync();
return 0;

// args[index] as a positive count, or the default where it is not given.
static bool TryArgument(string[] args, int index, int fallback, out int value)
{
    value = fallback;
    return args.Length <= index || (int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0);
}

// The SequencePrediction sample's training: continue 0.0, 0.1, 0.2 … from windows of four values.
static void Train(string path)
{
    const int Windows = 6, Steps = 4;
    var x = new float[Windows * Steps];
    var y = new float[Windows];
    for (int w = 0; w < Windows; w++)
    {
        for (int t = 0; t < Steps; t++) x[w * Steps + t] = (w + t) / 10f;
        y[w] = (w + Steps) / 10f;
    }
    var model = new ForecastModel();
    model.Initialize(seed: 42);
    model.Compile(new Adam(learningRate: 0.01f), Loss.MeanSquaredError());
    model.Fit(x, y, epochs: 100, batchSize: 1, seed: 1, verbose: 0);
    model.SaveWeights(path);
    Console.WriteLine($"trained and saved '{path}'");
}
