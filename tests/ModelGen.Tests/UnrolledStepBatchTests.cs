using System;
using Xunit;

namespace ModelGen.Tests.UnrolledStepBatch;

// The unrolled SimpleRNN(8) step runs two samples per iteration (two per 512-bit vector), then an odd last one, and
// activates the step's block after its sums at 256 and 128 bits. A batch of one runs only the odd-sample code; these
// batches (up to 64, W4's) run the pair loops too, with steps across the underflow flush (every 8), padded steps
// carried under a mask, and an odd last sample.
[Sequential(Features = 3)]
[Masking(0.0)]
[SimpleRnn(8, ReturnSequences = true)]
[Dense(1)]
public partial class MaskedUnrolledModel;

[Sequential]
[Embedding(13, 4)]
[SimpleRnn(8)]
[Dense(1, Activation = "sigmoid")]
public partial class TokenUnrolledModel;

/// <summary>
/// Each sample of a batch must come out of the unrolled SimpleRNN(8) step with the bits it has alone (batch 1): the
/// same multiply-adds in the same order and the same activation, whichever part of the step's loop computes it.
/// </summary>
public sealed class UnrolledStepBatchTests
{
    [Theory]
    [InlineData(14, 19)]
    [InlineData(15, 8)]
    [InlineData(31, 19)]
    [InlineData(64, 17)]
    public void Masked_features_batch_matches_each_sample_alone(int batch, int steps)
    {
        const int Features = 3;
        var random = new Random(batch * 100 + steps);
        var x = new float[batch * steps * Features]; // [batch, steps, features]
        for (int i = 0; i < x.Length; i++) x[i] = 2f * random.NextSingle() - 1f;
        for (int b = 0; b < batch; b++)
        {
            // Padding: sample b's last b % 4 steps, and for every third sample its first step.
            for (int t = steps - b % 4; t < steps; t++) x.AsSpan((b * steps + t) * Features, Features).Clear();
            if (b % 3 == 0) x.AsSpan(b * steps * Features, Features).Clear();
        }
        var model = new MaskedUnrolledModel();
        model.Initialize(3);
        Same(model, x, batch, steps, Features);
    }

    [Theory]
    [InlineData(14, 14)]
    [InlineData(27, 16)]
    [InlineData(64, 20)]
    public void Token_batch_matches_each_sample_alone(int batch, int steps)
    {
        var random = new Random(batch * 100 + steps);
        var tokens = new int[batch * steps];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = random.Next(13);
        var model = new TokenUnrolledModel();
        model.Initialize(4);
        Same(model, tokens, batch, steps, 1);
    }

    private static void Same<TInput>(ISequentialModel<TInput> model, TInput[] input, int batch, int steps, int perStep) where TInput : unmanaged
    {
        int perSample = model.OutputLength(1, steps);
        var all = new float[batch * perSample];
        model.Forward(input, batch, steps, all, training: false);
        var one = new float[perSample];
        for (int b = 0; b < batch; b++)
        {
            model.Forward(input.AsSpan(b * steps * perStep, steps * perStep), 1, steps, one, training: false);
            for (int i = 0; i < perSample; i++)
            {
                float expected = one[i], actual = all[b * perSample + i];
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                    $"sample {b} of {batch}, output {i}: {actual:R} in the batch, {expected:R} alone");
            }
        }
    }
}
