// The size sweep's models (sweep.sh): LSTM and GRU, one class per hidden size (a compile-time constant in ModelGen),
// 16 input features, a Dense(1) head, steps and batch free (given per call). torch_sweep.py builds the same in PyTorch.
using System;
using System.Collections.Generic;
using ModelGen;

namespace ModelGen.Benchmarks;

/// <summary>Sweep: LSTM(8) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Lstm(8)]
[Dense(1)]
public partial class SweepLstm8;

/// <summary>Sweep: LSTM(16) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Lstm(16)]
[Dense(1)]
public partial class SweepLstm16;

/// <summary>Sweep: LSTM(32) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Lstm(32)]
[Dense(1)]
public partial class SweepLstm32;

/// <summary>Sweep: LSTM(64) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Lstm(64)]
[Dense(1)]
public partial class SweepLstm64;

/// <summary>Sweep: LSTM(128) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Lstm(128)]
[Dense(1)]
public partial class SweepLstm128;

/// <summary>Sweep: LSTM(256) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Lstm(256)]
[Dense(1)]
public partial class SweepLstm256;

/// <summary>Sweep: LSTM(512) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Lstm(512)]
[Dense(1)]
public partial class SweepLstm512;

/// <summary>Sweep: LSTM(1024) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Lstm(1024)]
[Dense(1)]
public partial class SweepLstm1024;

/// <summary>Sweep: GRU(8) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Gru(8)]
[Dense(1)]
public partial class SweepGru8;

/// <summary>Sweep: GRU(16) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Gru(16)]
[Dense(1)]
public partial class SweepGru16;

/// <summary>Sweep: GRU(32) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Gru(32)]
[Dense(1)]
public partial class SweepGru32;

/// <summary>Sweep: GRU(64) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Gru(64)]
[Dense(1)]
public partial class SweepGru64;

/// <summary>Sweep: GRU(128) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Gru(128)]
[Dense(1)]
public partial class SweepGru128;

/// <summary>Sweep: GRU(256) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Gru(256)]
[Dense(1)]
public partial class SweepGru256;

/// <summary>Sweep: GRU(512) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Gru(512)]
[Dense(1)]
public partial class SweepGru512;

/// <summary>Sweep: GRU(1024) + Dense(1) on 16 features.</summary>
[Sequential(Features = SweepModels.Features)]
[Gru(1024)]
[Dense(1)]
public partial class SweepGru1024;

/// <summary>The sweep's model classes by cell kind and hidden size.</summary>
public static class SweepModels
{
    /// <summary>Input features of every sweep model.</summary>
    public const int Features = 16;

    /// <summary>The hidden sizes there is a class for.</summary>
    public static IReadOnlyList<int> HiddenSizes { get; } = [8, 16, 32, 64, 128, 256, 512, 1024];

    /// <summary>A new model of this cell kind ("LSTM" or "GRU") and hidden size, initialised from <paramref name="seed"/>.</summary>
    /// <param name="cell">"LSTM" or "GRU".</param>
    /// <param name="hidden">One of <see cref="HiddenSizes"/>.</param>
    /// <param name="seed">Initialisation seed.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentException">No class for this cell and size.</exception>
    public static ISequentialModel<float> Create(string cell, int hidden, int seed)
    {
        switch (cell, hidden)
        {
            case ("LSTM", 8): { var m = new SweepLstm8(); m.Initialize(seed: seed); return m; }
            case ("LSTM", 16): { var m = new SweepLstm16(); m.Initialize(seed: seed); return m; }
            case ("LSTM", 32): { var m = new SweepLstm32(); m.Initialize(seed: seed); return m; }
            case ("LSTM", 64): { var m = new SweepLstm64(); m.Initialize(seed: seed); return m; }
            case ("LSTM", 128): { var m = new SweepLstm128(); m.Initialize(seed: seed); return m; }
            case ("LSTM", 256): { var m = new SweepLstm256(); m.Initialize(seed: seed); return m; }
            case ("LSTM", 512): { var m = new SweepLstm512(); m.Initialize(seed: seed); return m; }
            case ("LSTM", 1024): { var m = new SweepLstm1024(); m.Initialize(seed: seed); return m; }
            case ("GRU", 8): { var m = new SweepGru8(); m.Initialize(seed: seed); return m; }
            case ("GRU", 16): { var m = new SweepGru16(); m.Initialize(seed: seed); return m; }
            case ("GRU", 32): { var m = new SweepGru32(); m.Initialize(seed: seed); return m; }
            case ("GRU", 64): { var m = new SweepGru64(); m.Initialize(seed: seed); return m; }
            case ("GRU", 128): { var m = new SweepGru128(); m.Initialize(seed: seed); return m; }
            case ("GRU", 256): { var m = new SweepGru256(); m.Initialize(seed: seed); return m; }
            case ("GRU", 512): { var m = new SweepGru512(); m.Initialize(seed: seed); return m; }
            case ("GRU", 1024): { var m = new SweepGru1024(); m.Initialize(seed: seed); return m; }
            default: throw new ArgumentException($"no sweep model for {cell}({hidden})", nameof(cell));
        }
    }
}
