using System.Text.Json.Nodes;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// HF <c>Gemma2ForCausalLM</c>: the Gemma network with norms after attention and around the MLP, attention scaled by
/// query_pre_attn_scalar^-1/2, tanh soft-capping of the attention scores and of the final logits, and a sliding window
/// on every other layer (the even ones by default). Key names are Gemma's plus the two feed-forward norms.
/// </summary>
public static class Gemma2
{
    public static ModelArchitecture Architecture { get; } = new("gemma2", "model.", json => new Gemma(ReadConfig(json)));

    /// <summary>Reads a <c>gemma2</c> config.json with the defaults of HF's <c>Gemma2Config</c>.</summary>
    public static GemmaConfig ReadConfig(JsonObject json)
    {
        var config = new ConfigReader(json, "gemma2");
        var layers = config.Int("num_hidden_layers", 26);
        return GemmaConfig.Read(config, new GemmaConfig(
            VocabularySize: 256000, HiddenSize: 2304, IntermediateSize: 9216, Layers: layers, Heads: 8, KeyValueHeads: 4,
            HeadDimensions: config.Int("head_dim", 256), MaxPositions: 8192, RmsNormEpsilon: 1e-6, RopeTheta: 10000.0,
            RopeScaling: null, HiddenActivation: config.String("hidden_activation", "gelu_pytorch_tanh"),
            AttentionBias: false, TieWordEmbeddings: true, InitializerRange: 0.02,
            AttentionScale: 1.0 / Math.Sqrt(Positive(config, "query_pre_attn_scalar", 256)),
            AttentionSoftCapping: SoftCap(json, config, "attn_logit_softcapping", 50.0),
            FinalLogitSoftCapping: SoftCap(json, config, "final_logit_softcapping", 30.0),
            FeedForwardNorms: true, QueryKeyNorms: false,
            // Gemma2Config: layer i slides when (i + 1) % 2 != 0, i.e. the even layers.
            SlidingLayers: GemmaConfig.ReadSlidingLayers(json, config, layers, pattern: 2),
            SlidingWindow: Window(json, config, 4096), LocalRopeTheta: null));
    }

    /// <summary>A positive number for a scale, the key named in the error otherwise.</summary>
    internal static double Positive(ConfigReader config, string key, double fallback)
    {
        var value = config.Double(key, fallback);
        return value > 0 ? value : throw config.Invalid($"{key} ({value}) must be positive.");
    }

    /// <summary>A soft-capping value: absent means HF's default, JSON null means none, anything else must be positive.</summary>
    internal static double? SoftCap(JsonObject json, ConfigReader config, string key, double? fallback)
    {
        if (!config.Has(key))
            return json.ContainsKey(key) ? null : fallback;
        return Positive(config, key, 1.0);
    }

    /// <summary><c>sliding_window</c>: absent means HF's default, JSON null means no window; else a positive integer.</summary>
    internal static int? Window(JsonObject json, ConfigReader config, int fallback)
    {
        if (!config.Has("sliding_window"))
            return json.ContainsKey("sliding_window") ? null : fallback;
        var window = config.RequiredInt("sliding_window");
        return window > 0 ? window : throw config.Invalid($"sliding_window ({window}) must be positive.");
    }
}
