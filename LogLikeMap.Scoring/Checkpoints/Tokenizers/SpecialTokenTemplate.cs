using System.Text.Json;

namespace LogLikeMap.Scoring.Checkpoints.Tokenizers;

/// <summary>
/// The special tokens a single sequence gets around it when encoded with special tokens (tokenizer.json's
/// <c>"post_processor"</c>; transformers' <c>add_special_tokens=True</c>): Llama's <c>&lt;s&gt;</c> in front, RoBERTa's
/// <c>&lt;s&gt; ... &lt;/s&gt;</c>, nothing for GPT-2.
/// </summary>
internal sealed record SpecialTokenTemplate(IReadOnlyList<int> Before, IReadOnlyList<int> After)
{
    public const string Supported = "TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence";

    public static readonly SpecialTokenTemplate None = new([], []);

    /// <summary>How many special tokens the template adds (tokenizers' <c>added_tokens(is_pair: false)</c>).</summary>
    public int Count => Before.Count + After.Count;

    /// <summary>True when <paramref name="ids"/> begin with the template's leading tokens and end with its trailing ones.</summary>
    public bool Surrounds(IReadOnlyList<int> ids) =>
        ids.Count >= Count
        && Before.Select((id, i) => ids[i] == id).All(same => same)
        && After.Select((id, i) => ids[ids.Count - After.Count + i] == id).All(same => same);

    public void Apply(List<int> ids)
    {
        ids.InsertRange(0, Before);
        ids.AddRange(After);
    }

    public static SpecialTokenTemplate Read(JsonElement element)
    {
        if (element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return None;
        var type = element.GetProperty("type").GetString();
        switch (type)
        {
            case "ByteLevel":
                return None; // It only trims offsets; it adds no token.
            case "Sequence":
                // Each processor wraps the output of the previous one.
                return element.GetProperty("processors").EnumerateArray().Select(Read).Aggregate(None,
                    (inner, outer) => new SpecialTokenTemplate([.. outer.Before, .. inner.Before], [.. inner.After, .. outer.After]));
            case "RobertaProcessing":
            case "BertProcessing":
                // [cls] A [sep]; each is a [token, id] pair.
                return new SpecialTokenTemplate([element.GetProperty("cls")[1].GetInt32()], [element.GetProperty("sep")[1].GetInt32()]);
            case "TemplateProcessing":
                return ReadTemplate(element);
            default:
                throw new NotSupportedException($"post_processor '{type}' is not supported (supported: {Supported})");
        }
    }

    /// <summary>The <c>single</c> template: special tokens before and after the <c>Sequence</c> item, their ids from <c>special_tokens</c>.</summary>
    private static SpecialTokenTemplate ReadTemplate(JsonElement element)
    {
        var specialTokens = element.GetProperty("special_tokens");
        var before = new List<int>();
        var after = new List<int>();
        var seenSequence = false;
        foreach (var item in element.GetProperty("single").EnumerateArray())
        {
            if (item.TryGetProperty("Sequence", out _))
            {
                seenSequence = true;
                continue;
            }
            var name = item.GetProperty("SpecialToken").GetProperty("id").GetString()!;
            if (!specialTokens.TryGetProperty(name, out var token))
                throw new NotSupportedException($"the post_processor template names '{name}', which its special_tokens do not define");
            (seenSequence ? after : before).AddRange(token.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()));
        }
        return new SpecialTokenTemplate(before, after);
    }
}
