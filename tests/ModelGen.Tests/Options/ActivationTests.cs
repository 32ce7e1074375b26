using System;
using ModelGen.Interop;

namespace ModelGen.Tests.Options;

/// <summary>
/// Keras <c>activation=</c> on LSTM and GRU: the forward pass against a reference written out in doubles from Keras's
/// equations (PyTorch's nn.LSTM and nn.GRU have tanh only, so there is no PyTorch fixture for relu, sigmoid or linear;
/// the gradients are checked by finite differences in <see cref="OptionGradientTests"/>), tanh unchanged, Keras's
/// parameter counts, and the exporters' answers.
/// </summary>
public sealed class ActivationTests
{
    [Fact]
    public void Relu_lstm_and_gru_forward_match_kerass_equations()
    {
        var model = new ReluReferenceModel();
        var random = new Random(5);
        for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = (float)(random.NextDouble() - 0.5);
        const int Batch = 2, Steps = 4, Features = 3;
        var x = new float[Batch * Steps * Features];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 4 - 2); // wide enough for relu to leave [0, 1]
        var output = new float[model.OutputLength(Batch, Steps)];
        model.Forward(x, Batch, Steps, output);

        var layers = ReluReferenceModel.Metadata.Layers;
        int zeros = 0, positives = 0;
        for (int b = 0; b < Batch; b++)
        {
            var seq = new double[Steps][];
            for (int t = 0; t < Steps; t++) seq[t] = Array.ConvertAll(x[((b * Steps + t) * Features)..((b * Steps + t + 1) * Features)], v => (double)v);
            seq = Lstm(seq, model.Parameters, layers[0], Relu);
            foreach (var row in seq) { zeros += Array.FindAll(row, v => v == 0).Length; positives += Array.FindAll(row, v => v > 0).Length; }
            Assert.All(seq, row => Assert.All(row, v => Assert.True(v >= 0))); // o·relu(c) ≥ 0, where o·tanh(c) takes both signs
            seq = GruResetAfter(seq, model.Parameters, layers[1], Relu);
            seq = GruResetBefore(seq, model.Parameters, layers[2], Sigmoid);
            var last = seq[Steps - 1];
            for (int j = 0; j < last.Length; j++)
                Assert.True(Math.Abs(last[j] - output[b * 3 + j]) <= 1e-5 + 1e-4 * Math.Abs(last[j]), $"sample {b} unit {j}: reference {last[j]}, model {output[b * 3 + j]}");
        }
        Assert.True(zeros > 0 && positives > 0, $"relu should clip some LSTM outputs to 0 and pass others: {zeros} zeros, {positives} positive");
    }

    [Fact]
    public void Tanh_written_out_is_the_default_bit_for_bit()
    {
        var plain = new DefaultTanhModel();
        var written = new ExplicitTanhModel();
        plain.Initialize(3);
        written.Initialize(3);
        Assert.Equal(plain.Parameters, written.Parameters);
        var x = new float[2 * 4 * 3];
        var random = new Random(8);
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        var a = new float[plain.OutputLength(2, 4)];
        var b = new float[a.Length];
        plain.Forward(x, 2, 4, a);
        written.Forward(x, 2, 4, b);
        Assert.Equal(a, b);
        Assert.Equal(plain.Summary().Replace("DefaultTanhModel", ""), written.Summary().Replace("ExplicitTanhModel", ""));
    }

    [Fact]
    public void Parameter_counts_are_kerass()
    {
        // Keras: LSTM(50, activation='relu') on 1 feature: 4·(50·(1 + 50) + 50) = 10,400; Dense(1): 51.
        Assert.Equal(10_400, KerasReluLstmModel.Metadata.Layers[0].ParameterCount);
        Assert.Equal(10_451, KerasReluLstmModel.ParameterCount);
        // The activation changes no weight: GRU(19) on 3 features, reset_after: 3·19·(3 + 19) + 2·3·19 = 1,368.
        Assert.Equal(1_368, ActivatedGruModel.Metadata.Layers[0].ParameterCount);
    }

    [Fact]
    public void PyTorch_export_refuses_a_non_tanh_lstm_or_gru()
    {
        var e = Assert.Throws<NotSupportedException>(() => new ActivatedLstmModel().ToPyTorchTensors());
        Assert.Contains("layer 'lstm' (LSTM, 19 units, 3 inputs) uses activation 'relu', which nn.LSTM and nn.GRU do not have", e.Message);
        Assert.Contains("layer 'lstm_1' (LSTM, 5 units, 19 inputs) uses activation 'linear'", e.Message);
        var g = Assert.Throws<NotSupportedException>(() => new ActivatedGruModel().ToPyTorchTensors());
        Assert.Contains("layer 'gru' (GRU, 19 units, 3 inputs) uses activation 'relu', which nn.LSTM and nn.GRU do not have", g.Message);
        _ = new DefaultTanhModel().ToPyTorchTensors(); // tanh exports as before
    }

    [Fact]
    public void Onnx_export_refuses_hard_sigmoid_gates_with_a_linear_candidate()
    {
        var e = Assert.Throws<NotSupportedException>(() => new ActivatedGruModel().ToOnnx());
        Assert.Contains("layer 'gru_2': recurrent activation 'hard_sigmoid' with activation 'linear' has no ONNX export", e.Message);
    }

    // ------------------------------------------------------------------ the reference, in doubles

    private static double Relu(double v) => Math.Max(v, 0);

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    private static double Dot(double[] x, float[] p, ParameterInfo kernel, int column)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * p[kernel.Offset + i * kernel.Columns + column];
        return s;
    }

    private static double[][] Lstm(double[][] seq, float[] p, LayerInfo layer, Func<double, double> act)
    {
        var (w, u, bias) = (layer.Parameters[0], layer.Parameters[1], layer.Parameters[2]);
        int n = u.Rows;
        var h = new double[n];
        var c = new double[n];
        var result = new double[seq.Length][];
        for (int t = 0; t < seq.Length; t++)
        {
            double Pre(int gate, int j) => Dot(seq[t], p, w, gate * n + j) + Dot(h, p, u, gate * n + j) + p[bias.Offset + gate * n + j];
            var hn = new double[n];
            for (int j = 0; j < n; j++)
            {
                double i = Sigmoid(Pre(0, j)), f = Sigmoid(Pre(1, j)), g = act(Pre(2, j)), o = Sigmoid(Pre(3, j));
                c[j] = f * c[j] + i * g;
                hn[j] = o * act(c[j]);
            }
            h = hn;
            result[t] = h;
        }
        return result;
    }

    private static double[][] GruResetAfter(double[][] seq, float[] p, LayerInfo layer, Func<double, double> act)
    {
        var (w, u, bias) = (layer.Parameters[0], layer.Parameters[1], layer.Parameters[2]);
        int n = u.Rows, width = 3 * n;
        var h = new double[n];
        var result = new double[seq.Length][];
        for (int t = 0; t < seq.Length; t++)
        {
            var hn = new double[n];
            for (int j = 0; j < n; j++)
            {
                double In(int gate) => Dot(seq[t], p, w, gate * n + j) + p[bias.Offset + gate * n + j];
                double Rec(int gate) => Dot(h, p, u, gate * n + j) + p[bias.Offset + width + gate * n + j];
                double z = Sigmoid(In(0) + Rec(0)), r = Sigmoid(In(1) + Rec(1));
                double candidate = act(In(2) + r * Rec(2));
                hn[j] = z * h[j] + (1 - z) * candidate;
            }
            h = hn;
            result[t] = h;
        }
        return result;
    }

    private static double[][] GruResetBefore(double[][] seq, float[] p, LayerInfo layer, Func<double, double> act)
    {
        var (w, u, bias) = (layer.Parameters[0], layer.Parameters[1], layer.Parameters[2]);
        int n = u.Rows;
        var h = new double[n];
        var result = new double[seq.Length][];
        for (int t = 0; t < seq.Length; t++)
        {
            var z = new double[n];
            var rh = new double[n];
            for (int j = 0; j < n; j++)
            {
                double Pre(int gate) => Dot(seq[t], p, w, gate * n + j) + Dot(h, p, u, gate * n + j) + p[bias.Offset + gate * n + j];
                z[j] = Sigmoid(Pre(0));
                rh[j] = Sigmoid(Pre(1)) * h[j];
            }
            var hn = new double[n];
            for (int j = 0; j < n; j++)
            {
                double candidate = act(Dot(seq[t], p, w, 2 * n + j) + Dot(rh, p, u, 2 * n + j) + p[bias.Offset + 2 * n + j]);
                hn[j] = z[j] * h[j] + (1 - z[j]) * candidate;
            }
            h = hn;
            result[t] = h;
        }
        return result;
    }
}
