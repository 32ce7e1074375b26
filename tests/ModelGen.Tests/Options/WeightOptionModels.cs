namespace ModelGen.Tests.Options;

// Models for issue 15's weight options: Trainable = false, regularizers, declared initializers.

/// <summary>
/// A frozen pretrained Embedding (with a regularizer that must then count for nothing, as in Keras), regularizers of
/// every spelling on the trainable layers, and a relu LSTM. Keras: Embedding(20, 8) 160 (non-trainable), LSTM(7) on 8
/// 4·7·(8 + 7) + 4·7 = 448, GRU(5) on 7 3·5·(7 + 5) + 2·3·5 = 210, Dense(2) on 5 12.
/// </summary>
[Sequential(TimeSteps = 6)]
[Embedding(20, 8, Trainable = false, EmbeddingsRegularizer = "l2(1.0)")]
[Lstm(7, Activation = "relu", KernelRegularizer = "l2(0.01)", RecurrentRegularizer = "l1(0.001)", BiasRegularizer = "l1_l2(l1=0.002, l2=0.003)", ReturnSequences = true)]
[Gru(5, KernelRegularizer = "l1")]
[Dense(2, KernelRegularizer = "l2", BiasRegularizer = "L1L2(0.01, 0.02)")]
public partial class FrozenEmbeddingModel;

/// <summary>A frozen layer between trainable ones: the optimizer's trainable ranges are split around it.</summary>
[Sequential(TimeSteps = 4, Features = 3)]
[Lstm(6, ReturnSequences = true)]
[Bidirectional(Trainable = false)]
[Gru(4, ReturnSequences = true)]
[Dense(2, KernelRegularizer = "l1_l2(l1=0.01, l2=0.01)")]
public partial class FrozenMiddleModel;

/// <summary>Every Keras initializer on matrices large enough for their statistics (fan-in, fan-out in comments).</summary>
[Sequential(Features = 200)]
[Dense(300, KernelInitializer = "glorot_normal", BiasInitializer = "constant(0.5)")]                        // 200, 300
[Dense(200, KernelInitializer = "he_normal", BiasInitializer = "ones")]                                   // 300, 200
[Dense(300, KernelInitializer = "he_uniform", BiasInitializer = "random_normal(mean=1.0, stddev=0.2)")]   // 200, 300
[Dense(200, KernelInitializer = "lecun_normal", BiasInitializer = "random_uniform(minval=-0.3, maxval=0.1)")] // 300, 200
[Dense(300, KernelInitializer = "LecunUniform", BiasInitializer = "truncated_normal(stddev=0.1)")]        // 200, 300
[Dense(300, KernelInitializer = "identity(gain=2)")]                                                      // 300, 300
[Dense(200, KernelInitializer = "orthogonal(gain=0.5)")]                                                 // 300, 200
[Dense(250, KernelInitializer = "random_normal(0.1, 0.02)")]                                              // 200, 250
[Dense(250, KernelInitializer = "truncated_normal", UseBias = false)]                                     // 250, 250
public partial class InitializerModel;

/// <summary>Recurrent initializers and unit_forget_bias.</summary>
[Sequential]
[Embedding(30, 4, EmbeddingsInitializer = "random_normal(stddev=1.0)")]
[Lstm(6, KernelInitializer = "zeros", RecurrentInitializer = "glorot_uniform", BiasInitializer = "constant(0.25)", ReturnSequences = true)]
[Lstm(5, UnitForgetBias = false, ReturnSequences = true)]
[Lstm(4, BiasInitializer = "ones", UnitForgetBias = false, ReturnSequences = true)]
[SimpleRnn(7, RecurrentInitializer = "identity", KernelInitializer = "ones")]
public partial class RecurrentInitializerModel;
