namespace ModelGen.Generators;

/// <summary>Names of the pipeline steps, so tests can check that a second run is fully cached.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Check = nameof(Check);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Model = nameof(Model);
    public const string Cells = nameof(Cells);
    public const string Orphans = nameof(Orphans);
}
