using System;
using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests;

/// <summary>The runtime's per-direction state plumbing on its own: what generated models call for initial states.</summary>
public sealed class RecurrentStateTests
{
    private static RecurrentState Lstm(bool stateful = false) => new("M", "forward_lstm", "'forward_lstm' of 'bidirectional'", units: 2, hasCellState: true, stateful);

    [Fact]
    public void Begin_WithoutAState_ClearsBlockZero_AndHasNoGradient()
    {
        var state = Lstm();
        float[] h = { 9, 9, 9, 9, 7 }, c = { 9, 9, 9, 9, 7 };
        state.Begin(batch: 2, h, c);
        Assert.Equal(new float[] { 0, 0, 0, 0, 7 }, h);
        Assert.Equal(new float[] { 0, 0, 0, 0, 7 }, c);
        Assert.False(state.Used);
        Assert.True(state.Gradient(2).IsEmpty);
        Assert.True(state.CellGradient(2).IsEmpty);
    }

    [Fact]
    public void Set_ThenBegin_CopiesTheState_AndOffersItsGradient_UntilReset()
    {
        var state = Lstm();
        state.Set(new float[] { 1, 2, 3, 4 }, new float[] { 5, 6, 7, 8 });
        Assert.Equal(2, state.Samples);
        float[] h = new float[6], c = new float[6];
        state.Begin(2, h, c);
        Assert.Equal(new float[] { 1, 2, 3, 4, 0, 0 }, h);
        Assert.Equal(new float[] { 5, 6, 7, 8, 0, 0 }, c);
        Assert.Equal(4, state.Gradient(2).Length);
        Assert.Equal(4, state.CellGradient(2).Length);
        state.Reset();
        Assert.Equal(0, state.Samples);
        Assert.True(state.Gradient(2).IsEmpty);
    }

    [Fact]
    public void StartedFromZeros_IsSetByBeginOnly_SoAResetBeforeBackwardLeavesIt()
    {
        var state = Lstm();
        Assert.False(state.StartedFromZeros); // no pass yet: nothing may be left out
        float[] h = new float[4], c = new float[4];
        state.Begin(2, h, c);
        Assert.True(state.StartedFromZeros);
        state.Set(new float[] { 1, 2, 3, 4 }, new float[] { 5, 6, 7, 8 });
        Assert.True(state.StartedFromZeros); // still the last pass's
        state.Begin(2, h, c);
        Assert.False(state.StartedFromZeros);
        state.Reset();
        Assert.False(state.Used);
        Assert.False(state.StartedFromZeros); // the pass began from the set state
        state.Begin(2, h, c);
        Assert.True(state.StartedFromZeros);
    }

    [Fact]
    public void Set_RejectsPartialSamples_AndMismatchedCellStates_NamingTheDirection()
    {
        var state = Lstm();
        var partial = Assert.Throws<ArgumentException>(() => state.Set(new float[3], new float[3]));
        Assert.Equal("h", partial.ParamName);
        Assert.Contains("model 'M': the initial state of 'forward_lstm' of 'bidirectional' is [samples, 2], a positive multiple of 2 floats, but holds 3", partial.Message);
        var mismatch = Assert.Throws<ArgumentException>(() => state.Set(new float[4], new float[2]));
        Assert.Equal("c", mismatch.ParamName);
        Assert.Contains("must be as long as h, 4 floats, but holds 2", mismatch.Message);
        Assert.Equal(0, state.Samples);
    }

    [Fact]
    public void CheckBatch_SaysWhatAStatefulLayerNeeds()
    {
        var state = Lstm(stateful: true);
        state.Carry(3, new float[6], new float[6]);
        state.CheckBatch(3);
        var error = Assert.Throws<ArgumentException>(() => state.CheckBatch(2));
        Assert.Equal("batchSize", error.ParamName);
        Assert.Contains("layer 'forward_lstm' holds an initial state for 3 samples, but the batch has 2: a stateful layer needs the same batch size until ResetStates()", error.Message);
    }

    [Fact]
    public void Carry_GrowsOnce_ThenAllocatesNothing()
    {
        var state = Lstm(stateful: true);
        float[] h = new float[8], c = new float[8];
        state.Carry(4, h, c);
        Assert.Equal(0, Allocations.FewestBytes(() =>
        {
            state.Begin(4, h, c);
            state.Carry(4, h, c);
        }));
    }
}
