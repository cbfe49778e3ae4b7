using TorchSharp;
using static TorchSharp.torch;

namespace LogLikeMap.Scoring.Models;

/// <summary>
/// A decoder-only language model in Hugging Face layout: token ids (B, T) in, next-token logits (B, T, V) out.
/// Parameter names (<c>named_parameters()</c>) are the checkpoint's keys, so weights load by name and a trained model
/// saves to safetensors that transformers reads. The forward pass supports autograd (training uses it); scoring wraps
/// it in <c>torch.inference_mode()</c> itself.
/// </summary>
/// <remarks>
/// No padding mask enters the forward pass: the scorer pads on the right, and under causal attention a real token
/// never attends to a later position, so the padding cannot change any real token's logits.
/// </remarks>
public abstract class CausalLanguageModel : nn.Module<Tensor, Tensor>
{
    protected CausalLanguageModel(string name) : base(name)
    {
    }

    /// <summary>The most positions the model reads (config's <c>max_position_embeddings</c> or its synonym).</summary>
    public abstract int MaxPositions { get; }

    /// <summary>The vocabulary size V, the width of the logits.</summary>
    public abstract long VocabularySize { get; }

    /// <summary>Standard deviation of the normal initialisation (config's <c>initializer_range</c>).</summary>
    protected abstract double InitializerRange { get; }

    /// <summary>The last hidden states after the final norm: (B, T) ids to (B, T, C).</summary>
    public abstract Tensor HiddenStates(Tensor inputIds);

    /// <summary>The language-model head's weight (V, C): the token embedding when tied, <c>lm_head</c> otherwise.</summary>
    public abstract Tensor OutputEmbeddings { get; }

    /// <summary>The language-model head's bias (V), or null: only GPT-J's and phi's <c>lm_head</c> have one.</summary>
    public virtual Tensor? OutputBias => null;

    /// <summary>
    /// Gemma 2's <c>final_logit_softcapping</c>: the head's logits become cap * tanh(logits / cap); null: no capping.
    /// </summary>
    public virtual double? FinalLogitSoftCapping => null;

    /// <summary>
    /// A length past which the model computes every position differently (Phi-3's LongRoPE switches to its long
    /// factors when the sequence exceeds original_max_position_embeddings); null for most models. The scorer never
    /// batches texts from both sides, so each text is scored as it would be alone, as the paper's scorer does.
    /// </summary>
    public virtual int? LongSequenceThreshold => null;

    /// <summary>The language-model head: (..., C) hidden states to (..., V) logits, soft-capped where the model caps them.</summary>
    public Tensor Logits(Tensor hiddenStates) =>
        SoftCapping.Apply(nn.functional.linear(hiddenStates, OutputEmbeddings, OutputBias), FinalLogitSoftCapping);

    public override Tensor forward(Tensor inputIds) => Logits(HiddenStates(inputIds));

    /// <summary>
    /// Random initialisation as the HF models' <c>_init_weights</c>: matrices and embeddings from
    /// N(0, initializer_range), biases zero, norm weights one.
    /// </summary>
    public void InitializeWeights(long seed)
    {
        using var generator = new Generator((ulong)seed, parameters().First().device);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal))
                parameter.zero_();
            else if (parameter.dim() == 1)
                parameter.FillWith(1.0);
            else
                parameter.normal_(0.0, InitialStandardDeviation(name), generator);
        }
    }

    /// <summary>
    /// Whether the checkpoint stores this parameter as the transpose of the module's tensor (GPT-2's Conv1D keeps
    /// (in, out) where the module keeps <c>nn.Linear</c>'s (out, in)). Loading and saving transpose these.
    /// </summary>
    public virtual bool StoredTransposed(string parameterName) => false;

    /// <summary>The standard deviation for one weight matrix; architectures with scaled initialisations override it.</summary>
    protected virtual double InitialStandardDeviation(string parameterName) => InitializerRange;
}
