using System.Text.Json;
using LogLikeMap.Lab.Zoo;
using LogLikeMap.Tests.Checkpoints;

namespace LogLikeMap.Tests.Zoo;

/// <summary>
/// The zoo's tokenizers against Hugging Face's GPT-2 tokenizer: its ids for the scoring fixture texts
/// (TestData/scoring/gpt2-tiny.ids.jsonl) and GPT-2's own byte table.
/// </summary>
public sealed class ZooTokenizerTests
{
    private static string Gpt2Folder => ScoringFixtures.ModelFolder("gpt2-tiny");

    [Fact]
    public void All_merges_give_exactly_the_ids_of_huggingfaces_gpt2_tokenizer()
    {
        var tokenizer = ZooTokenizer.FromGpt2("gpt2", Gpt2Folder, 50000);
        var expected = ScoringFixtures.Ids("gpt2-tiny");
        foreach (var (index, text) in ScoringFixtures.Texts())
        {
            var ids = tokenizer.Encode(text).ToArray();
            // The fixture ids are cut to the model's 2,048 positions; the texts are shorter than that.
            Assert.Equal(expected[index], ids.Take(expected[index].Length).ToArray());
            Assert.Equal(expected[index].Length, ids.Length);
        }
    }

    [Fact]
    public void The_byte_tokenizer_gives_one_token_per_utf8_byte_numbered_as_in_gpt2()
    {
        var tokenizer = ZooTokenizer.Bytes;
        // GPT-2's vocab.json: '!' (0x21) is 0, 'A' (0x41) is 32, 'Ġ' (the space byte 0x20) is 220, 'é' is the two
        // bytes C3 A9, whose symbols 'Ã' and '©' are ids 127 and 102.
        Assert.Equal([32, 220, 0, 127, 102], tokenizer.Encode("A !é"));
        Assert.Equal(257, tokenizer.VocabularySize);
        Assert.Equal(256, tokenizer.EndOfTextId);
    }

    [Fact]
    public void The_byte_tokenizers_vocabulary_is_gpt2s_first_256_entries_and_endoftext()
    {
        var gpt2 = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(Gpt2Folder, "vocab.json")))!;
        var files = ZooTokenizer.Bytes.Files(maxPositions: 256);
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(files["vocab.json"])!;

        var expected = gpt2.Where(entry => entry.Value < 256).ToDictionary();
        expected[ZooTokenizer.EndOfText] = 256;
        Assert.Equal(expected.OrderBy(e => e.Value), vocab.OrderBy(e => e.Value));
        Assert.Equal("#version: 0.2\n", files["merges.txt"]);
    }

    [Fact]
    public void Truncated_bpe_keeps_the_first_merges_and_the_ids_they_produce()
    {
        var tokenizer = ZooTokenizer.FromGpt2("bpe4k", Gpt2Folder, 4096);
        var files = tokenizer.Files(maxPositions: 256);
        var merges = files["merges.txt"].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var gpt2Merges = File.ReadLines(Path.Combine(Gpt2Folder, "merges.txt")).Take(4097).ToArray();

        Assert.Equal(gpt2Merges, merges);
        Assert.Equal(4353, tokenizer.VocabularySize);
        // " the" is GPT-2 merge 6 ("Ġt he"), id 262 in GPT-2 and in the truncated vocabulary alike.
        Assert.Equal([262], tokenizer.Encode(" the"));
    }
}
