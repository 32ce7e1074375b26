using ModelGen;

namespace Serving;

/// <summary>The served model: four steps of one feature → SimpleRNN(10) → Dense(1), the SequencePrediction sample's.</summary>
[Sequential(TimeSteps = 4, Features = 1)]
[SimpleRnn(10)]
[Dense(1)]
public sealed partial class ForecastModel;
