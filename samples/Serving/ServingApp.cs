using System;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelGen;

namespace Serving;

/// <summary>A prediction request: samples of <c>[4 steps, 1 feature]</c>, one array of 4 floats per sample.</summary>
/// <param name="Inputs">Samples, batch-major.</param>
public sealed record PredictRequest(float[][]? Inputs);

/// <summary>A prediction: one array of outputs per sample, in request order.</summary>
/// <param name="Outputs">The model's outputs, one array of <c>Dense(1)</c> outputs per sample.</param>
public sealed record PredictResponse(float[][] Outputs);

/// <summary>A refused request: what was expected and what came.</summary>
/// <param name="Error">The message.</param>
public sealed record ErrorResponse(string Error);

/// <summary>
/// JSON metadata made at compile time (NativeAOT has no reflection-based serializer). Numbers must be JSON numbers:
/// the web defaults would also read <c>"0.5"</c>, a string, as 0.5.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(PredictRequest))]
[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(ErrorResponse))]
public sealed partial class ServingJson : JsonSerializerContext;

/// <summary>The minimal API: <c>POST /predict</c>, <c>GET /health</c>, <c>GET /model</c>.</summary>
public static class ServingApp
{
    /// <summary>The most samples one request may carry.</summary>
    public const int MaxSamples = 1024;

    /// <summary>Builds the app over <paramref name="pool"/>, listening on <paramref name="urls"/> (e.g. <c>http://127.0.0.1:0</c>).</summary>
    /// <param name="pool">Model instances loaded with the served weights.</param>
    /// <param name="urls">Addresses to listen on.</param>
    /// <param name="quiet">Log warnings only (load tests).</param>
    public static WebApplication Build(ModelPool pool, string urls, bool quiet = false)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServingJson.Default);
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        // A body that does not bind (not JSON, a string for a number, no JSON content type) throws, so that the handler
        // below can answer as every other refusal does, instead of ASP.NET Core's 400 with an empty body.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        if (quiet) builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();

        app.Use(async (context, next) =>
        {
            const string Expected = "expected a JSON body {\"inputs\": [[floats], ...]} with content-type application/json";
            try
            {
                await next(context);
                // A body that is not JSON by its content type, or larger than the server reads: the route and Kestrel
                // answer 415 and 413 without a word.
                if (context.Response.StatusCode == StatusCodes.Status415UnsupportedMediaType && !context.Response.HasStarted)
                    await context.Response.WriteAsJsonAsync(new ErrorResponse($"{Expected}; got content-type '{context.Request.ContentType}'"), ServingJson.Default.ErrorResponse);
                else if (context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
                    await context.Response.WriteAsJsonAsync(new ErrorResponse(TooLarge(context)), ServingJson.Default.ErrorResponse);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = e.StatusCode;
                string came = e.InnerException is JsonException json ? $": {json.Message}" : "";
                await context.Response.WriteAsJsonAsync(new ErrorResponse($"{Expected}; {e.Message}{came}"), ServingJson.Default.ErrorResponse);
            }
        });

        app.MapGet("/health", () => "ok");
        app.MapGet("/model", () => pool.Summary()); // a method of the pool: the route generator cannot see ModelGen's generated members
        // Nullable, so that an empty body or a JSON null reaches Predict's own refusal (ASP.NET Core's answer to a missing
        // required body asks whether the parameter should have been a service).
        app.MapPost("/predict", (PredictRequest? request) => Predict(pool, request));
        return app;
    }

    // What a 413 says: the limit, and the request's size where it gave one.
    private static string TooLarge(HttpContext context)
    {
        long? limit = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        string came = context.Request.ContentLength is long length ? $"; got {length:N0} bytes" : "";
        return $"expected a body of at most {(limit is long l ? $"{l:N0} bytes" : "the server's limit")} (1 to {MaxSamples} samples){came}";
    }

    /// <summary>The address the started <paramref name="app"/> listens on (the real port when 0 was asked for).</summary>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First());
    }

    private static IResult Predict(ModelPool pool, PredictRequest? request)
    {
        int steps = pool.Info.TimeSteps ?? 1, features = pool.Info.InputFeatures, width = steps * features;
        if (request?.Inputs is not { Length: > 0 } samples)
            return TypedResults.BadRequest(new ErrorResponse($"expected {{\"inputs\": [[{width} floats], ...]}} with 1 to {MaxSamples} samples; got {(request is null ? "an empty body or null" : "none")}"));
        if (samples.Length > MaxSamples)
            return TypedResults.BadRequest(new ErrorResponse($"expected at most {MaxSamples} samples per request; got {samples.Length}"));
        var x = new float[samples.Length * width];
        for (int i = 0; i < samples.Length; i++)
        {
            var sample = samples[i];
            if (sample is null || sample.Length != width)
                return TypedResults.BadRequest(new ErrorResponse($"sample {i} must be {width} floats ([{steps} steps, {features} features]); got {sample?.Length ?? 0}"));
            // JSON has no NaN or ∞, but a number beyond float32's range (1e39) reads as ∞: refuse it as the bad input it is.
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(sample))
                return TypedResults.BadRequest(new ErrorResponse($"sample {i} holds a value beyond float32's range (±3.4e38)"));
            sample.CopyTo(x, i * width);
        }
        float[] y = pool.Run(model => model.Predict(x, batchSize: samples.Length));
        int perSample = y.Length / samples.Length;
        var outputs = new float[samples.Length][];
        for (int i = 0; i < outputs.Length; i++) outputs[i] = y.AsSpan(i * perSample, perSample).ToArray();
        return TypedResults.Ok(new PredictResponse(outputs));
    }
}
