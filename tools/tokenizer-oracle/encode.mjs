// Encodes texts with a checkpoint's tokenizer files through Hugging Face's own tokenizers, as test expectations for
// LogLikeMap's tokenizer (LogLikeMap.Tests/Tokenizers/RealTokenizerTests.cs). Used by hand, never at run time.
//
//   node encode.mjs TOKENIZER_FOLDER TEXTS.jsonl OUT.ids.jsonl [MAX_LENGTH]
//
// TOKENIZER_FOLDER holds tokenizer.json (or tokenizer.json.gz) and optionally tokenizer_config.json(.gz). Each line of
// TEXTS.jsonl is {"index": i, "text": "..."}; each line written is {"index": i, "ids": [...]}: the ids of
// tokenizer.encode(text) with the default add_special_tokens=true, as transformers gives them. Two implementations
// encode every text: the Rust `tokenizers` library (the one transformers' fast tokenizers call, through the
// @anush008/tokenizers binding) and tokenizers.js (@huggingface/tokenizers, transformers.js's). The Rust ids are
// written; a text on which the two disagree is reported on stderr and its tokenizers.js ids are written beside them
// as "tokenizers_js", so a reader sees where the JavaScript port departs from the library. With MAX_LENGTH, the ids
// are those of encode(text, truncation=True, max_length=MAX_LENGTH) (Rust only: tokenizers.js does not truncate):
// the text's tokens are cut so that they and the template's special tokens fit, the special tokens kept.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { Tokenizer as RustTokenizer } from "@anush008/tokenizers";
import { Tokenizer as JsTokenizer } from "@huggingface/tokenizers";

const [folder, textsPath, outPath, maxLengthArgument] = process.argv.slice(2);
const maxLength = maxLengthArgument === undefined ? null : Number.parseInt(maxLengthArgument, 10);
if (!outPath || Number.isNaN(maxLength)) {
  console.error("usage: node encode.mjs TOKENIZER_FOLDER TEXTS.jsonl OUT.ids.jsonl [MAX_LENGTH]");
  process.exit(2);
}

/** The text of NAME in the folder, or of NAME.gz decompressed; null when neither exists. */
function readMaybeGzipped(name) {
  const plain = join(folder, name);
  if (existsSync(plain)) return readFileSync(plain, "utf8");
  if (existsSync(plain + ".gz")) return gunzipSync(readFileSync(plain + ".gz")).toString("utf8");
  return null;
}

const tokenizerJson = readMaybeGzipped("tokenizer.json");
if (tokenizerJson === null) throw new Error(`${folder} has no tokenizer.json`);
const config = JSON.parse(readMaybeGzipped("tokenizer_config.json") ?? "{}");

const rust = RustTokenizer.fromString(tokenizerJson);
if (maxLength !== null) rust.setTruncation(maxLength);
const js = new JsTokenizer(JSON.parse(tokenizerJson), config);

const lines = readFileSync(textsPath, "utf8").split("\n").filter((line) => line.length > 0);
const out = [];
let disagreements = 0;
for (const line of lines) {
  const { index, text } = JSON.parse(line);
  const rustIds = Array.from((await rust.encode(text, null, { addSpecialTokens: true })).getIds());
  const record = { index, ids: rustIds };
  const jsIds = maxLength === null ? js.encode(text, { add_special_tokens: true }).ids : rustIds;
  if (rustIds.length !== jsIds.length || rustIds.some((id, i) => id !== jsIds[i])) {
    disagreements++;
    record.tokenizers_js = jsIds;
    console.error(`text ${index}: tokenizers (Rust) and tokenizers.js disagree: ${JSON.stringify(text.slice(0, 60))}`);
  }
  out.push(JSON.stringify(record));
}
writeFileSync(outPath, out.join("\n") + "\n");
console.error(`${lines.length} texts encoded, ${disagreements} with a disagreement between the two implementations`);
