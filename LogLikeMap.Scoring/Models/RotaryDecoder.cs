using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// A Llama-shaped causal model whose layers differ from Llama's (Qwen3's q/k norms, the mixtures of experts of
/// Qwen2-MoE, Qwen3-MoE and Mixtral): the body <c>model</c> (<see cref="RotaryDecoder"/>) and the head <c>lm_head</c>
/// (absent when tied). Each architecture's file builds its own layers; embeddings, rope, the sliding window, the final
/// RMSNorm and the head are Llama's (HF's <c>modular_*.py</c> files derive these models from Llama or Mistral).
/// </summary>
internal sealed class RotaryDecoderModel : CausalLanguageModel
{
    private readonly LlamaConfig _config;
    private readonly RotaryDecoder model;
    private readonly Linear? lm_head;

    /// <param name="name">The architecture's name, for TorchSharp's module tree.</param>
    /// <param name="config">The Llama-family shape; its window applies from <c>FirstSlidingWindowLayer</c> on.</param>
    /// <param name="layer">Layer i of the decoder, registered as <c>model.layers.i</c>.</param>
    public RotaryDecoderModel(string name, LlamaConfig config, Func<int, nn.Module<Tensor, AttentionContext, Tensor>> layer) : base(name)
    {
        _config = config;
        model = new RotaryDecoder(config, layer);
        if (!config.TieWordEmbeddings)
            lm_head = Layers.Linear(config.HiddenSize, config.VocabularySize, hasBias: false);
        RegisterComponents();
    }

    public override int MaxPositions => _config.MaxPositions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    public override Tensor HiddenStates(Tensor inputIds) => model.forward(inputIds);

    public override Tensor OutputEmbeddings => lm_head?.weight ?? model.InputEmbeddings;
}

/// <summary>HF <c>LlamaModel</c> with the layers given: embeddings, decoder layers, final RMSNorm.</summary>
internal sealed class RotaryDecoder : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable embed_tokens;
    private readonly ModuleList<nn.Module<Tensor, AttentionContext, Tensor>> layers;
    private readonly RmsNorm norm;
    private readonly RotaryEmbedding _rotary;
    private readonly LlamaConfig _config;

    public RotaryDecoder(LlamaConfig config, Func<int, nn.Module<Tensor, AttentionContext, Tensor>> layer) : base("model")
    {
        _config = config;
        embed_tokens = Layers.Embedding(config.VocabularySize, config.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(layer).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        _rotary = RotaryEmbedding.Create(config.HeadDimensions, config.RopeTheta, config.RopeScaling);
        RegisterComponents();
    }

    /// <summary>The token embedding matrix (V, C), which a tied head reuses.</summary>
    public Tensor InputEmbeddings => embed_tokens.Weight;

    public override Tensor forward(Tensor inputIds)
    {
        var positions = inputIds.shape[1];
        var hidden = embed_tokens.forward(inputIds);                                                    // (B, T, C)
        var (cos, sin) = _rotary.Angles(positions, hidden.device, hidden.dtype);                      // (T, hd) each
        var window = SlidingWindowMask(positions, hidden.device);
        for (var i = 0; i < layers.Count; i++)
        {
            var mask = i >= _config.FirstSlidingWindowLayer ? window : null;
            // Each layer's intermediates (and its input) are freed when it returns, as in LlamaDecoder.
            using var layerScope = NewDisposeScope();
            var next = layers[i].forward(hidden, new AttentionContext(cos, sin, mask)).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        return norm.forward(hidden);
    }

    /// <summary>
    /// HF <c>sliding_window_causal_mask</c>: query i sees key j when 0 &lt;= i - j &lt; window; null when the window
    /// covers the whole sequence and plain causal attention is exact.
    /// </summary>
    private Tensor? SlidingWindowMask(long positions, Device device)
    {
        if (_config.SlidingWindow is not { } window || positions <= window)
            return null;
        var query = Arithmetic.Range(positions, ScalarType.Int64, device).unsqueeze(1);                 // (T, 1)
        var key = Arithmetic.Range(positions, ScalarType.Int64, device).unsqueeze(0);                   // (1, T)
        var distance = query - key;                                                                    // (T, T)
        return distance.IsAtLeast(0).logical_and(distance.IsBelow(window));
    }
}

/// <summary>
/// HF <c>LlamaDecoderLayer</c> with the attention and feed-forward given (Qwen3's normed attention, a mixture of
/// experts): x + attn(input_layernorm(x)), then h + mlp(post_attention_layernorm(h)).
/// </summary>
internal sealed class PreNormDecoderLayer : nn.Module<Tensor, AttentionContext, Tensor>
{
    private readonly nn.Module<Tensor, AttentionContext, Tensor> self_attn;
    private readonly nn.Module<Tensor, Tensor> mlp;
    private readonly RmsNorm input_layernorm;
    private readonly RmsNorm post_attention_layernorm;

    public PreNormDecoderLayer(
        LlamaConfig config, int index, nn.Module<Tensor, AttentionContext, Tensor> attention, nn.Module<Tensor, Tensor> mlp)
        : base($"layers.{index}")
    {
        self_attn = attention;
        this.mlp = mlp;
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEpsilon);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, AttentionContext context)
    {
        hidden = hidden.Plus(self_attn.forward(input_layernorm.forward(hidden), context));
        return hidden.Plus(mlp.forward(post_attention_layernorm.forward(hidden)));
    }
}
