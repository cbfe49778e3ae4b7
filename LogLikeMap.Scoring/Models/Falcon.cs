using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>The shape of a Falcon model (HF <c>FalconConfig</c>).</summary>
/// <param name="KeyValueHeads">
/// Key/value heads: <c>num_kv_heads</c> in the new decoder architecture, 1 with <c>multi_query</c>, else every head.
/// </param>
/// <param name="NewDecoderArchitecture">Falcon-40B's layout: query heads grouped with their key and value, parallel blocks.</param>
/// <param name="ParallelAttention">x + attn(ln(x)) + mlp(ln(x)) (<c>parallel_attn</c>; always so in the new architecture).</param>
/// <param name="TwoLayerNorms">Separate <c>ln_attn</c> and <c>ln_mlp</c> (new architecture, <c>num_ln_in_parallel_attn</c> 2).</param>
/// <param name="Bias">Biases on every linear layer of the blocks (<c>bias</c>).</param>
/// <param name="Alibi">ALiBi biases instead of rotary positions (<c>alibi</c>, Falcon-RW).</param>
public sealed record FalconConfig(
    int VocabularySize,
    int HiddenSize,
    int Layers,
    int Heads,
    int KeyValueHeads,
    bool NewDecoderArchitecture,
    bool ParallelAttention,
    bool TwoLayerNorms,
    bool Bias,
    bool Alibi,
    int FeedForwardSize,
    string Activation,
    double LayerNormEpsilon,
    int MaxPositions,
    double RopeTheta,
    RopeScaling? RopeScaling,
    bool TieWordEmbeddings,
    double InitializerRange)
{
    public int HeadSize => HiddenSize / Heads;

    /// <summary>Reads a <c>falcon</c> config.json with the defaults of HF's <c>FalconConfig</c> (those of falcon-7b).</summary>
    public static FalconConfig FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "falcon");
        // FalconConfig still accepts the early n_embed for hidden_size.
        var hidden = config.Int("n_embed", config.Int("hidden_size", 4544));
        var heads = config.Int("num_attention_heads", 71);
        if (heads <= 0 || hidden % heads != 0)
            throw config.Invalid($"hidden_size ({hidden}) is not divisible by num_attention_heads ({heads}).");
        var newArchitecture = config.Bool("new_decoder_architecture", false);
        var multiQuery = config.Bool("multi_query", true);
        var parallel = config.Bool("parallel_attn", true);
        var configuredKeyValueHeads = config.Int("num_kv_heads", heads);
        var layerNorms = config.OptionalInt("num_ln_in_parallel_attn");

        int keyValueHeads;
        if (newArchitecture)
        {
            // FalconDecoderLayer builds ln_attn/ln_mlp or input_layernorm only for a parallel block, and its forward
            // has no sequential form of the new architecture: HF fails on these configs, so they are refused.
            if (!parallel)
                throw config.Invalid("new_decoder_architecture true needs parallel_attn true (transformers cannot run it otherwise).");
            if (layerNorms is not (null or 1 or 2))
                throw config.Invalid($"num_ln_in_parallel_attn {layerNorms} is not supported; use 1 or 2 (null means 2).");
            if (configuredKeyValueHeads <= 0 || heads % configuredKeyValueHeads != 0)
                throw config.Invalid($"num_attention_heads ({heads}) must be a positive multiple of num_kv_heads ({configuredKeyValueHeads}).");
            keyValueHeads = configuredKeyValueHeads;
        }
        else
        {
            // The old layout with parallel_attn keeps one input_layernorm: HF builds ln_attn/ln_mlp for 2 but never runs them.
            if (parallel && layerNorms == 2)
                throw config.Invalid("num_ln_in_parallel_attn 2 needs new_decoder_architecture true (transformers cannot run it otherwise).");
            // Without multi_query the fused projection holds a key and a value for every head (3 x hidden_size wide);
            // HF would misread it with fewer key/value heads.
            if (!multiQuery && configuredKeyValueHeads != heads)
                throw config.Invalid(
                    $"num_kv_heads {configuredKeyValueHeads} differs from num_attention_heads ({heads}) without multi_query or " +
                    "new_decoder_architecture; transformers cannot run this layout.");
            keyValueHeads = multiQuery ? 1 : heads;
        }

        return new FalconConfig(
            VocabularySize: config.Int("vocab_size", 65024),
            HiddenSize: hidden,
            Layers: config.Int("num_hidden_layers", 32),
            Heads: heads,
            KeyValueHeads: keyValueHeads,
            NewDecoderArchitecture: newArchitecture,
            ParallelAttention: newArchitecture || parallel,
            TwoLayerNorms: newArchitecture && (layerNorms is null or 2),
            Bias: config.Bool("bias", false),
            Alibi: config.Bool("alibi", false),
            FeedForwardSize: config.Int("ffn_hidden_size", 4 * hidden),
            Activation: config.String("activation", "gelu"),
            LayerNormEpsilon: config.Double("layer_norm_epsilon", 1e-5),
            MaxPositions: config.Int("max_position_embeddings", 2048),
            RopeTheta: config.Double("rope_theta", 10000.0),
            RopeScaling: ReadRopeScaling(config),
            TieWordEmbeddings: config.Bool("tie_word_embeddings", true),
            InitializerRange: config.Double("initializer_range", 0.02));
    }

    /// <summary>
    /// Falcon's <c>rope_scaling</c> is linear or dynamic. Dynamic NTK scaling changes the base only for sequences longer
    /// than max_position_embeddings (HF's <c>dynamic_rope_update</c>), which the scorer never runs, so it is plain rotary here.
    /// </summary>
    private static RopeScaling? ReadRopeScaling(ConfigReader config)
    {
        var node = config.Object("rope_scaling");
        if (node is null)
            return null;
        var scaling = new ConfigReader(node, "rope_scaling");
        return scaling.String("rope_type", scaling.String("type", "default")) == "dynamic" ? null : RopeScaling.Read(config);
    }
}

/// <summary>
/// HF <c>FalconForCausalLM</c>: the body <c>transformer</c> and the head <c>lm_head</c>, which is the word embedding
/// itself unless <c>tie_word_embeddings</c> is false. Positions are rotary (rotate_half over the whole head) or ALiBi.
/// </summary>
public sealed class Falcon : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("falcon", "transformer.", json => new Falcon(FalconConfig.FromJson(json)));

    private readonly FalconConfig _config;
    private readonly FalconBody transformer;
    private readonly Linear? lm_head;

    public Falcon(FalconConfig config) : base(nameof(Falcon))
    {
        _config = config;
        transformer = new FalconBody(config);
        if (!config.TieWordEmbeddings)
            lm_head = Layers.Linear(config.HiddenSize, config.VocabularySize, hasBias: false);
        RegisterComponents();
    }

    public override int MaxPositions => _config.MaxPositions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    public override Tensor HiddenStates(Tensor inputIds) => transformer.forward(inputIds);

    public override Tensor OutputEmbeddings => lm_head?.weight ?? transformer.WordEmbeddings;
}

/// <summary>Per-forward position inputs: rotary cos/sin (T, hd), or the ALiBi mask (1, nh, T, T).</summary>
internal readonly record struct FalconPositions(Tensor? Cos, Tensor? Sin, Tensor? AlibiMask);

/// <summary>HF <c>FalconModel</c>: word embeddings, blocks, final LayerNorm.</summary>
internal sealed class FalconBody : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable word_embeddings;
    private readonly ModuleList<FalconDecoderLayer> h;
    private readonly LayerNorm ln_f;
    private readonly RotaryEmbedding? _rotary;
    private readonly FalconConfig _config;

    public FalconBody(FalconConfig config) : base("transformer")
    {
        _config = config;
        word_embeddings = Layers.Embedding(config.VocabularySize, config.HiddenSize);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new FalconDecoderLayer(config, i)).ToArray());
        ln_f = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        if (!config.Alibi)
            _rotary = RotaryEmbedding.Create(config.HeadSize, config.RopeTheta, config.RopeScaling);
        RegisterComponents();
    }

    /// <summary>The word embedding matrix (V, C), which a tied head reuses.</summary>
    public Tensor WordEmbeddings => word_embeddings.Weight;

    public override Tensor forward(Tensor inputIds)
    {
        var positions = inputIds.shape[1];
        var hidden = word_embeddings.forward(inputIds);                                                 // (B, T, C)
        FalconPositions context;
        if (_rotary is null)
        {
            var mask = Alibi.CausalMask(
                _config.Heads, positions, hidden.device, hidden.dtype, productInBFloat16: true, divisor: Math.Sqrt(_config.HeadSize));
            context = new FalconPositions(null, null, mask);                                           // (1, nh, T, T)
        }
        else
        {
            var (cos, sin) = _rotary.Angles(positions, hidden.device, hidden.dtype);                  // (T, hd) each
            context = new FalconPositions(cos, sin, null);
        }
        foreach (var layer in h)
        {
            // Free each layer's intermediates, and its input, when it returns, not at the end of the batch.
            using var layerScope = NewDisposeScope();
            var next = layer.forward(hidden, context).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return ln_f.forward(hidden);
    }
}

/// <summary>
/// HF <c>FalconDecoderLayer</c>. Parallel (falcon-7b, falcon-40b): x + attn(ln(x)) + mlp(ln'(x)), where ln' is ln
/// itself unless the new architecture has <c>ln_mlp</c>. Sequential (falcon-rw): attention, then the MLP after
/// <c>post_attention_layernorm</c>, each with its residual.
/// </summary>
internal sealed class FalconDecoderLayer : nn.Module<Tensor, FalconPositions, Tensor>
{
    private readonly LayerNorm? input_layernorm;
    private readonly LayerNorm? ln_attn;
    private readonly LayerNorm? ln_mlp;
    private readonly LayerNorm? post_attention_layernorm;
    private readonly FalconAttention self_attention;
    private readonly FalconMlp mlp;
    private readonly bool _parallel;

    public FalconDecoderLayer(FalconConfig config, int index) : base($"h.{index}")
    {
        if (config.TwoLayerNorms)
        {
            ln_attn = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
            ln_mlp = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        }
        else
        {
            input_layernorm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        }
        if (!config.ParallelAttention)
            post_attention_layernorm = Layers.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        self_attention = new FalconAttention(config);
        mlp = new FalconMlp(config);
        _parallel = config.ParallelAttention;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, FalconPositions positions)
    {
        var attentionInput = (ln_attn ?? input_layernorm)!.forward(hidden);
        var attended = self_attention.forward(attentionInput, positions);
        if (_parallel)
            return hidden.Plus(attended).Plus(mlp.forward(ln_mlp?.forward(hidden) ?? attentionInput));
        var afterAttention = hidden.Plus(attended);
        return afterAttention.Plus(mlp.forward(post_attention_layernorm!.forward(afterAttention)));
    }
}

/// <summary>
/// HF <c>FalconAttention</c>. The fused <c>query_key_value</c> output has one of three layouts (<c>_split_heads</c>):
/// new architecture, per key/value group its nh/nkv query heads then its key then its value; multi-query, all query
/// heads then one key and one value (hidden + 2 x head_dim wide); otherwise per head its query, key and value.
/// </summary>
internal sealed class FalconAttention : nn.Module<Tensor, FalconPositions, Tensor>
{
    private readonly Linear query_key_value;
    private readonly Linear dense;
    private readonly int _heads;
    private readonly int _keyValueHeads;
    private readonly int _headSize;
    private readonly bool _newArchitecture;

    public FalconAttention(FalconConfig config) : base("self_attention")
    {
        _heads = config.Heads;
        _keyValueHeads = config.KeyValueHeads;
        _headSize = config.HeadSize;
        _newArchitecture = config.NewDecoderArchitecture;
        query_key_value = Layers.Linear(config.HiddenSize, (_heads + 2 * _keyValueHeads) * _headSize, hasBias: config.Bias);
        dense = Layers.Linear(config.HiddenSize, config.HiddenSize, hasBias: config.Bias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, FalconPositions positions)
    {
        var (b, t) = (hidden.shape[0], hidden.shape[1]);
        var fused = query_key_value.forward(hidden);                                                   // (B, T, (nh+2nkv)hd)
        Tensor q, k, v;
        if (_newArchitecture)
        {
            var perGroup = _heads / _keyValueHeads;
            var groups = fused.view(b, t, _keyValueHeads, perGroup + 2, _headSize);                   // (B, T, nkv, g+2, hd)
            q = groups.narrow(3, 0, perGroup).reshape(b, t, _heads, _headSize).transpose(1, 2);        // (B, nh, T, hd)
            k = groups.select(3, perGroup).transpose(1, 2);                                            // (B, nkv, T, hd)
            v = groups.select(3, perGroup + 1).transpose(1, 2);                                        // (B, nkv, T, hd)
        }
        else if (_keyValueHeads == 1)
        {
            var parts = fused.view(b, t, _heads + 2, _headSize).transpose(1, 2);                       // (B, nh+2, T, hd)
            q = parts.narrow(1, 0, _heads);                                                            // (B, nh, T, hd)
            k = parts.narrow(1, _heads, 1);                                                            // (B, 1, T, hd)
            v = parts.narrow(1, _heads + 1, 1);                                                        // (B, 1, T, hd)
        }
        else
        {
            var parts = fused.view(b, t, _heads, 3, _headSize);                                        // (B, T, nh, 3, hd)
            q = parts.select(3, 0).transpose(1, 2);                                                    // (B, nh, T, hd)
            k = parts.select(3, 1).transpose(1, 2);
            v = parts.select(3, 2).transpose(1, 2);
        }
        if (positions.Cos is { } cos && positions.Sin is { } sin)
        {
            q = RotaryEmbedding.Apply(q, cos, sin);
            k = RotaryEmbedding.Apply(k, cos, sin);
        }
        k = RepeatKeyValue(k, _heads);                                                                 // (B, nh, T, hd)
        v = RepeatKeyValue(v, _heads);
        var y = positions.AlibiMask is { } mask
            ? nn.functional.scaled_dot_product_attention(q, k, v, attn_mask: mask)
            : nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);                    // (B, nh, T, hd)
        return dense.forward(y.transpose(1, 2).reshape(b, t, _heads * _headSize));
    }

    /// <summary>
    /// Each key/value head serves the nh/nkv query heads of its group, (B, nkv, T, hd) to (B, nh, T, hd), as HF's
    /// <c>broadcast_to</c> over the group (the same order as <c>repeat_interleave</c>).
    /// </summary>
    private static Tensor RepeatKeyValue(Tensor x, int heads)
    {
        var (b, kv, t, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        return kv == heads ? x : x.unsqueeze(2).expand(b, kv, heads / kv, t, d).reshape(b, heads, t, d);
    }
}

/// <summary>HF <c>FalconMLP</c>: dense_h_to_4h (ffn_hidden_size wide), activation (exact GELU by default), dense_4h_to_h.</summary>
internal sealed class FalconMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense_h_to_4h;
    private readonly Linear dense_4h_to_h;
    private readonly Func<Tensor, Tensor> _activation;

    public FalconMlp(FalconConfig config) : base("mlp")
    {
        dense_h_to_4h = Layers.Linear(config.HiddenSize, config.FeedForwardSize, hasBias: config.Bias);
        dense_4h_to_h = Layers.Linear(config.FeedForwardSize, config.HiddenSize, hasBias: config.Bias);
        _activation = Activations.Named(config.Activation);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => dense_4h_to_h.forward(_activation(dense_h_to_4h.forward(x)));
}
