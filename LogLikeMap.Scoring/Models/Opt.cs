using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>The shape of an OPT model (HF <c>OPTConfig</c>).</summary>
/// <param name="WordEmbeddingSize">
/// Width of the token embedding and the head (<c>word_embed_proj_dim</c>); when it differs from hidden_size,
/// <c>project_in</c> and <c>project_out</c> map between the two (opt-350m).
/// </param>
/// <param name="LayerNormBefore">Pre-norm blocks and a final norm (<c>do_layer_norm_before</c>); false: post-norm (opt-350m).</param>
/// <param name="FinalLayerNorm">The decoder's final_layer_norm exists: pre-norm and not <c>_remove_final_layer_norm</c>.</param>
/// <param name="ElementwiseAffine">The LayerNorms carry weight and bias (<c>layer_norm_elementwise_affine</c>).</param>
public sealed record OptConfig(
    int VocabularySize,
    int HiddenSize,
    int FeedForwardSize,
    int Layers,
    int Heads,
    int MaxPositions,
    int WordEmbeddingSize,
    bool LayerNormBefore,
    bool FinalLayerNorm,
    bool ElementwiseAffine,
    string Activation,
    bool EnableBias,
    bool TieWordEmbeddings,
    double InitializerRange)
{
    /// <summary>OPT's LayerNorms are torch's default, eps 1e-5; the config has no key for it.</summary>
    public const double LayerNormEpsilon = 1e-5;

    /// <summary>
    /// OPTLearnedPositionalEmbedding's table is max_position_embeddings + 2 rows and position p reads row p + 2, a
    /// relic of fairseq reserving rows for padding.
    /// </summary>
    public const int PositionOffset = 2;

    /// <summary>Reads an <c>opt</c> config.json with the defaults of HF's <c>OPTConfig</c> (those of opt-125m).</summary>
    public static OptConfig FromJson(JsonObject json)
    {
        var config = new ConfigReader(json, "opt");
        var hidden = config.Int("hidden_size", 768);
        var heads = config.Int("num_attention_heads", 12);
        if (heads <= 0 || hidden % heads != 0)
            throw config.Invalid($"hidden_size ({hidden}) is not divisible by num_attention_heads ({heads}).");
        var layerNormBefore = config.Bool("do_layer_norm_before", true);
        return new OptConfig(
            VocabularySize: config.Int("vocab_size", 50272),
            HiddenSize: hidden,
            FeedForwardSize: config.Int("ffn_dim", 3072),
            Layers: config.Int("num_hidden_layers", 12),
            Heads: heads,
            MaxPositions: config.Int("max_position_embeddings", 2048),
            // word_embed_proj_dim absent or null means hidden_size.
            WordEmbeddingSize: config.Int("word_embed_proj_dim", hidden),
            LayerNormBefore: layerNormBefore,
            FinalLayerNorm: layerNormBefore && !config.Bool("_remove_final_layer_norm", false),
            ElementwiseAffine: config.Bool("layer_norm_elementwise_affine", true),
            Activation: config.String("activation_function", "relu"),
            EnableBias: config.Bool("enable_bias", true),
            TieWordEmbeddings: config.Bool("tie_word_embeddings", true),
            InitializerRange: config.Double("init_std", 0.02));
    }
}

/// <summary>
/// HF <c>OPTForCausalLM</c>: <c>model.decoder</c> and the head <c>lm_head</c>, which is the token embedding itself
/// unless <c>tie_word_embeddings</c> is false. Meta's checkpoints store the decoder without the <c>model.</c> prefix.
/// </summary>
public sealed class Opt : CausalLanguageModel
{
    public static ModelArchitecture Architecture { get; } = new("opt", "model.", json => new Opt(OptConfig.FromJson(json)));

    private readonly OptConfig _config;
    private readonly OptModel model;
    private readonly Linear? lm_head;

    public Opt(OptConfig config) : base(nameof(Opt))
    {
        _config = config;
        model = new OptModel(config);
        if (!config.TieWordEmbeddings)
            lm_head = Layers.Linear(config.WordEmbeddingSize, config.VocabularySize, hasBias: false);
        RegisterComponents();
    }

    public override int MaxPositions => _config.MaxPositions;

    public override long VocabularySize => _config.VocabularySize;

    protected override double InitializerRange => _config.InitializerRange;

    public override Tensor HiddenStates(Tensor inputIds) => model.forward(inputIds);

    public override Tensor OutputEmbeddings => lm_head?.weight ?? model.TokenEmbeddings;
}

/// <summary>HF <c>OPTModel</c>: a wrapper holding the decoder.</summary>
internal sealed class OptModel : nn.Module<Tensor, Tensor>
{
    private readonly OptDecoder decoder;

    public OptModel(OptConfig config) : base("model")
    {
        decoder = new OptDecoder(config);
        RegisterComponents();
    }

    public Tensor TokenEmbeddings => decoder.TokenEmbeddings;

    public override Tensor forward(Tensor inputIds) => decoder.forward(inputIds);
}

/// <summary>
/// HF <c>OPTDecoder</c>: token embeddings (through <c>project_in</c> when narrower), plus learned positions, layers,
/// the final norm of pre-norm models, then <c>project_out</c> back to the embedding width.
/// </summary>
internal sealed class OptDecoder : nn.Module<Tensor, Tensor>
{
    private readonly EmbeddingTable embed_tokens;
    private readonly EmbeddingTable embed_positions;
    private readonly Linear? project_in;
    private readonly Linear? project_out;
    private readonly ModuleList<OptDecoderLayer> layers;
    private readonly LayerNorm? final_layer_norm;

    public OptDecoder(OptConfig config) : base("decoder")
    {
        embed_tokens = Layers.Embedding(config.VocabularySize, config.WordEmbeddingSize);
        embed_positions = Layers.Embedding(config.MaxPositions + OptConfig.PositionOffset, config.HiddenSize);
        if (config.WordEmbeddingSize != config.HiddenSize)
        {
            project_in = Layers.Linear(config.WordEmbeddingSize, config.HiddenSize, hasBias: false);
            project_out = Layers.Linear(config.HiddenSize, config.WordEmbeddingSize, hasBias: false);
        }
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new OptDecoderLayer(config, i)).ToArray());
        if (config.FinalLayerNorm)
            final_layer_norm = OptLayerNorm.Create(config);
        RegisterComponents();
    }

    /// <summary>The token embedding matrix (V, word_embed_proj_dim), which a tied head reuses.</summary>
    public Tensor TokenEmbeddings => embed_tokens.Weight;

    public override Tensor forward(Tensor inputIds)
    {
        // HF derives positions from the attention mask, cumsum(mask) - 1: 0, 1, ... for the real tokens of a
        // right-padded batch, which is all the scorer reads.
        var positions = Arithmetic.Range(inputIds.shape[1], ScalarType.Int64, inputIds.device);       // (T)
        var tokens = embed_tokens.forward(inputIds);                                                  // (B, T, E)
        if (project_in is not null)
            tokens = project_in.forward(tokens);                                                      // (B, T, C)
        var hidden = tokens.Plus(embed_positions.forward(positions.Plus(OptConfig.PositionOffset)));  // (B, T, C)
        foreach (var layer in layers)
        {
            // Free each layer's intermediates, and its input, when it returns, not at the end of the batch.
            using var layerScope = NewDisposeScope();
            var next = layer.forward(hidden).MoveToOuterDisposeScope();
            hidden.Dispose();
            hidden = next;
        }
        if (final_layer_norm is not null)
            hidden = final_layer_norm.forward(hidden);
        return project_out is null ? hidden : project_out.forward(hidden);                            // (B, T, E)
    }
}

/// <summary>OPT's <c>nn.LayerNorm</c>, with or without its weight and bias.</summary>
internal static class OptLayerNorm
{
    public static LayerNorm Create(OptConfig config) =>
        Layers.LayerNorm(config.HiddenSize, OptConfig.LayerNormEpsilon, elementwise_affine: config.ElementwiseAffine);
}

/// <summary>
/// HF <c>OPTDecoderLayer</c>: attention and MLP (fc1, ReLU, fc2), each with a residual; the norms go before each
/// (<c>do_layer_norm_before</c>) or after each residual sum (opt-350m).
/// </summary>
internal sealed class OptDecoderLayer : nn.Module<Tensor, Tensor>
{
    private readonly OptAttention self_attn;
    private readonly LayerNorm self_attn_layer_norm;
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly LayerNorm final_layer_norm;
    private readonly Func<Tensor, Tensor> _activation;
    private readonly bool _layerNormBefore;

    public OptDecoderLayer(OptConfig config, int index) : base($"layers.{index}")
    {
        self_attn = new OptAttention(config);
        self_attn_layer_norm = OptLayerNorm.Create(config);
        fc1 = Layers.Linear(config.HiddenSize, config.FeedForwardSize, hasBias: config.EnableBias);
        fc2 = Layers.Linear(config.FeedForwardSize, config.HiddenSize, hasBias: config.EnableBias);
        final_layer_norm = OptLayerNorm.Create(config);
        _activation = Activations.Named(config.Activation);
        _layerNormBefore = config.LayerNormBefore;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        if (_layerNormBefore)
        {
            hidden = hidden.Plus(self_attn.forward(self_attn_layer_norm.forward(hidden)));
            return hidden.Plus(fc2.forward(_activation(fc1.forward(final_layer_norm.forward(hidden)))));
        }
        hidden = self_attn_layer_norm.forward(hidden.Plus(self_attn.forward(hidden)));
        return final_layer_norm.forward(hidden.Plus(fc2.forward(_activation(fc1.forward(hidden)))));
    }
}

/// <summary>HF <c>OPTAttention</c>: separate q/k/v projections with biases (<c>enable_bias</c>), causal attention, out_proj.</summary>
internal sealed class OptAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear q_proj;
    private readonly Linear out_proj;
    private readonly int _heads;
    private readonly int _headSize;

    public OptAttention(OptConfig config) : base("self_attn")
    {
        _heads = config.Heads;
        _headSize = config.HiddenSize / config.Heads;
        k_proj = Layers.Linear(config.HiddenSize, config.HiddenSize, hasBias: config.EnableBias);
        v_proj = Layers.Linear(config.HiddenSize, config.HiddenSize, hasBias: config.EnableBias);
        q_proj = Layers.Linear(config.HiddenSize, config.HiddenSize, hasBias: config.EnableBias);
        out_proj = Layers.Linear(config.HiddenSize, config.HiddenSize, hasBias: config.EnableBias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        var (b, t, c) = (hidden.shape[0], hidden.shape[1], hidden.shape[2]);
        var q = q_proj.forward(hidden).view(b, t, _heads, _headSize).transpose(1, 2);                // (B, nh, T, hs)
        var k = k_proj.forward(hidden).view(b, t, _heads, _headSize).transpose(1, 2);                // (B, nh, T, hs)
        var v = v_proj.forward(hidden).view(b, t, _heads, _headSize).transpose(1, 2);                // (B, nh, T, hs)
        // HF scales q by 1/sqrt(hs) before the product; scaled_dot_product_attention scales the product, the same in exact arithmetic.
        var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);                 // (B, nh, T, hs)
        return out_proj.forward(y.transpose(1, 2).reshape(b, t, c));
    }
}
