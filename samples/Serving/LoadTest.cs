using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading;
using System.Threading.Tasks;
using ModelGen;

namespace Serving;

/// <summary>What <see cref="LoadTest.RunAsync"/> measured.</summary>
/// <param name="Clients">Concurrent clients.</param>
/// <param name="Requests">Requests answered.</param>
/// <param name="Wrong">Answers that differ from the single-threaded result (bit for bit) or failed.</param>
/// <param name="Seconds">Wall time of the run.</param>
/// <param name="P50Milliseconds">Median latency.</param>
/// <param name="P99Milliseconds">99th-percentile latency.</param>
public sealed record LoadTestReport(int Clients, int Requests, int Wrong, double Seconds, double P50Milliseconds, double P99Milliseconds)
{
    /// <summary>Requests answered per second.</summary>
    public double RequestsPerSecond => Requests / Seconds;

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Requests} requests from {Clients} clients in {Seconds:0.00} s: {RequestsPerSecond:0} requests/s, p50 {P50Milliseconds:0.00} ms, p99 {P99Milliseconds:0.00} ms, {Wrong} wrong");
}

/// <summary>
/// A bounded load test on a running server: concurrent clients post prediction requests and every answer is compared,
/// bit for bit, with the answer a single model computes on one thread before the run.
/// </summary>
public static class LoadTest
{
    /// <summary>Runs <paramref name="requests"/> requests (or as many as fit in <paramref name="timeLimit"/>) from <paramref name="clients"/> clients.</summary>
    /// <param name="server">The server's address.</param>
    /// <param name="weights">The served weights, for the single-threaded reference.</param>
    /// <param name="clients">Concurrent clients (each sends its next request when the last is answered).</param>
    /// <param name="requests">Requests in all.</param>
    /// <param name="timeLimit">Stop sending after this long.</param>
    /// <param name="seed">Seed of the request contents.</param>
    public static async Task<LoadTestReport> RunAsync(Uri server, float[] weights, int clients, int requests, TimeSpan timeLimit, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(clients, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 1);

        // 64 distinct request bodies (1 to 64 samples each) and their answers from one model on this thread.
        var reference = new ForecastModel();
        weights.CopyTo(reference.Parameters, 0);
        var random = new Random(seed);
        var bodies = new PredictRequest[64];
        var expected = new float[bodies.Length][];
        for (int b = 0; b < bodies.Length; b++)
        {
            int samples = random.Next(1, 65);
            var inputs = new float[samples][];
            var x = new float[samples * 4];
            for (int s = 0; s < samples; s++)
            {
                inputs[s] = new float[4];
                for (int t = 0; t < 4; t++) x[s * 4 + t] = inputs[s][t] = random.NextSingle() * 2 - 0.5f;
            }
            bodies[b] = new PredictRequest(inputs);
            expected[b] = reference.Predict(x, batchSize: samples);
        }

        using var http = new HttpClient { BaseAddress = server };
        int next = -1, wrong = 0;
        var clock = Stopwatch.StartNew();
        async Task<List<double>> Client()
        {
            var latencies = new List<double>();
            for (int i = Interlocked.Increment(ref next); i < requests && clock.Elapsed < timeLimit; i = Interlocked.Increment(ref next))
            {
                int b = i % bodies.Length;
                long start = Stopwatch.GetTimestamp();
                bool right;
                try
                {
                    using var response = await http.PostAsJsonAsync("/predict", bodies[b], ServingJson.Default.PredictRequest).ConfigureAwait(false);
                    var answer = response.IsSuccessStatusCode
                        ? await response.Content.ReadFromJsonAsync(ServingJson.Default.PredictResponse).ConfigureAwait(false)
                        : null;
                    right = answer?.Outputs is not null && Matches(answer.Outputs, expected[b]);
                }
                catch (HttpRequestException)
                {
                    right = false;
                }
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (!right) Interlocked.Increment(ref wrong);
            }
            return latencies;
        }
        var running = new List<Task<List<double>>>(clients);
        for (int c = 0; c < clients; c++) running.Add(Task.Run(Client));
        var perClient = await Task.WhenAll(running).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;

        var measured = new List<double>();
        foreach (var l in perClient) measured.AddRange(l);
        measured.Sort();
        var sorted = measured.ToArray();
        return new LoadTestReport(clients, sorted.Length, wrong, seconds, Percentile(sorted, 0.50), Percentile(sorted, 0.99));
    }

    private static bool Matches(float[][] outputs, float[] expected)
    {
        int k = 0;
        foreach (var sample in outputs)
            foreach (float v in sample)
                if (k >= expected.Length || BitConverter.SingleToInt32Bits(v) != BitConverter.SingleToInt32Bits(expected[k++])) return false;
        return k == expected.Length;
    }

    private static double Percentile(double[] sorted, double q)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
