using System.Text.Json.Nodes;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// HF <c>Qwen2ForCausalLM</c>: the Llama network with biases on q_proj, k_proj and v_proj (none on o_proj), and a
/// sliding window only when <c>use_sliding_window</c> is true, from layer <c>max_window_layers</c> on.
/// </summary>
public static class Qwen2
{
    public static ModelArchitecture Architecture { get; } = new("qwen2", "model.", json => new Llama(ReadConfig(json)));

    /// <summary>Reads a <c>qwen2</c> config.json with the defaults of HF's <c>Qwen2Config</c>.</summary>
    public static LlamaConfig ReadConfig(JsonObject json)
    {
        var config = new ConfigReader(json, "qwen2");
        var layers = config.Int("num_hidden_layers", 32);
        var useSlidingWindow = config.Bool("use_sliding_window", false);
        return LlamaConfig.Read(config, defaults: new LlamaConfig(
            VocabularySize: 151936, HiddenSize: 4096, IntermediateSize: 22016, Layers: layers, Heads: 32, KeyValueHeads: 32,
            HeadDimensions: 128, MaxPositions: 32768, RmsNormEpsilon: 1e-6, RopeTheta: 10000.0, RopeScaling: null,
            HiddenActivation: "silu", QkvBias: true, OutputBias: false, MlpBias: false, TieWordEmbeddings: false,
            SlidingWindow: useSlidingWindow ? config.Int("sliding_window", 4096) : null,
            FirstSlidingWindowLayer: config.Int("max_window_layers", 28), InitializerRange: 0.02));
    }
}
