using System.Text.Json.Nodes;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// HF <c>MistralForCausalLM</c>: the Llama network without attention biases, with grouped-query attention and a
/// sliding window (<c>sliding_window</c>, null in later Mistral releases) on every layer. Key names are Llama's.
/// </summary>
public static class Mistral
{
    public static ModelArchitecture Architecture { get; } = new("mistral", "model.", json => new Llama(ReadConfig(json)));

    /// <summary>Reads a <c>mistral</c> config.json with the defaults of HF's <c>MistralConfig</c>.</summary>
    public static LlamaConfig ReadConfig(JsonObject json)
    {
        var config = new ConfigReader(json, "mistral");
        return LlamaConfig.Read(config, defaults: new LlamaConfig(
            VocabularySize: 32000, HiddenSize: 4096, IntermediateSize: 14336, Layers: 32, Heads: 32, KeyValueHeads: 8,
            HeadDimensions: 128, MaxPositions: 4096 * 32, RmsNormEpsilon: 1e-6, RopeTheta: 10000.0, RopeScaling: null,
            HiddenActivation: "silu", QkvBias: false, OutputBias: false, MlpBias: false, TieWordEmbeddings: false,
            SlidingWindow: config.Has("sliding_window") ? config.RequiredInt("sliding_window") : null,
            FirstSlidingWindowLayer: 0, InitializerRange: 0.02));
    }
}
