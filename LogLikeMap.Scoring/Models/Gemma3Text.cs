using System.Text.Json.Nodes;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// HF <c>Gemma3ForCausalLM</c> (model_type <c>gemma3_text</c>): the Gemma 2 network with per-head RMSNorms on q and k
/// (<c>q_norm</c>, <c>k_norm</c>), five sliding layers to one global by default (<c>sliding_window_pattern</c> 6, or
/// <c>layer_types</c>), the sliding layers rotating with <c>rope_local_base_freq</c> and the global ones with
/// <c>rope_theta</c> and <c>rope_scaling</c>, and no soft-capping unless the config asks for it.
/// </summary>
public static class Gemma3Text
{
    public static ModelArchitecture Architecture { get; } = new("gemma3_text", "model.", json => new Gemma(ReadConfig(json)));

    /// <summary>Reads a <c>gemma3_text</c> config.json with the defaults of HF's <c>Gemma3TextConfig</c>.</summary>
    public static GemmaConfig ReadConfig(JsonObject json)
    {
        var config = new ConfigReader(json, "gemma3_text");
        var layers = config.Int("num_hidden_layers", 26);
        return GemmaConfig.Read(config, new GemmaConfig(
            VocabularySize: 262208, HiddenSize: 2304, IntermediateSize: 9216, Layers: layers, Heads: 8, KeyValueHeads: 4,
            HeadDimensions: config.Int("head_dim", 256), MaxPositions: 131072, RmsNormEpsilon: 1e-6, RopeTheta: 1000000.0,
            RopeScaling: null, HiddenActivation: config.String("hidden_activation", "gelu_pytorch_tanh"),
            AttentionBias: false, TieWordEmbeddings: true, InitializerRange: 0.02,
            AttentionScale: 1.0 / Math.Sqrt(Gemma2.Positive(config, "query_pre_attn_scalar", 256)),
            AttentionSoftCapping: Gemma2.SoftCap(json, config, "attn_logit_softcapping", null),
            FinalLogitSoftCapping: Gemma2.SoftCap(json, config, "final_logit_softcapping", null),
            FeedForwardNorms: true, QueryKeyNorms: true,
            SlidingLayers: GemmaConfig.ReadSlidingLayers(json, config, layers, config.Int("sliding_window_pattern", 6)),
            SlidingWindow: Gemma2.Window(json, config, 4096),
            LocalRopeTheta: Gemma2.Positive(config, "rope_local_base_freq", 10000.0)));
    }
}
