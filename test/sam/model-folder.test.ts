import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { assertDeviceAvailable, cudaUnavailableReason } from "../../src/proposers/sam/device.js";
import { inspectSamFolder } from "../../src/proposers/sam/model-folder.js";
import { loadSamRuntime } from "../../src/proposers/sam/runtime.js";
import { buildDecoder } from "../helpers/onnx-sam-models.js";
import { GraphBuilder, FLOAT } from "../helpers/onnx-proto.js";
import { tinyModel } from "../helpers/onnx-sam-fixtures.js";

async function loadError(dir: string, dtype?: string): Promise<UserError> {
  try {
    await loadSamRuntime(dir, { dtype });
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).not.toMatch(/\n\s+at /); // one line, no stack
    return err as UserError;
  }
  throw new Error("expected the load to fail");
}

describe("model folder checks", () => {
  it("reads family, model type and dtypes; picks fp32 first, or the one asked for", () => {
    const dir = tinyModel({ family: "sam2", suffixes: ["", "_quantized", "_fp16"] });
    const f = inspectSamFolder(dir);
    expect([f.family, f.modelType, f.dtype, f.featureLevels]).toEqual(["sam2", "sam2", "fp32", 3]);
    expect(f.availableDtypes).toEqual(["fp32", "fp16", "q8"]);
    expect(inspectSamFolder(dir, "q8").encoderFile).toMatch(/onnx\/vision_encoder_quantized\.onnx$/);
    const onlyQ = tinyModel({ family: "sam", suffixes: ["_quantized"] });
    expect(inspectSamFolder(onlyQ).dtype).toBe("q8");
  });

  it("loads the dtype-suffixed files through transformers.js", async () => {
    const rt = await loadSamRuntime(tinyModel({ family: "sam", suffixes: ["_fp16"] }), { dtype: "fp16" });
    expect(rt.folder.decoderFile).toMatch(/prompt_encoder_mask_decoder_fp16\.onnx$/);
  });

  it("names every missing file", async () => {
    const dir = tinyModel({ family: "sam" });
    rmSync(join(dir, "preprocessor_config.json"));
    rmSync(join(dir, "onnx", "prompt_encoder_mask_decoder.onnx"));
    const e = await loadError(dir);
    expect(e.message).toContain("missing preprocessor_config.json, onnx/prompt_encoder_mask_decoder.onnx");
    expect((await loadError(join(dir, "nope"))).message).toMatch(/model folder not found/);
    expect((await loadError(join(dir, "config.json"))).message).toMatch(/not a folder/);
  });

  it("names the dtype asked for and the ones present", async () => {
    const dir = tinyModel({ family: "sam" });
    const e = await loadError(dir, "fp16");
    expect(e.message).toContain(
      "missing onnx/vision_encoder_fp16.onnx, onnx/prompt_encoder_mask_decoder_fp16.onnx",
    );
    expect(e.message).toContain("dtypes present: fp32");
    expect((await loadError(dir, "fp64")).message).toMatch(/unknown dtype "fp64"/);
  });

  it("rejects a config that is not JSON or not a SAM-family model", async () => {
    const dir = tinyModel({ family: "sam" });
    writeFileSync(join(dir, "config.json"), "{ not json");
    expect((await loadError(dir)).message).toMatch(/config\.json is not valid JSON/);
    writeFileSync(join(dir, "config.json"), JSON.stringify({ model_type: "bert" }));
    expect((await loadError(dir)).message).toMatch(/model_type "bert"; expected one of sam, sam2/);
  });

  it("reports a corrupt ONNX file by name", async () => {
    const dir = tinyModel({ family: "sam" });
    writeFileSync(join(dir, "onnx", "vision_encoder.onnx"), Buffer.from("this is not a protobuf model"));
    const e = await loadError(dir);
    expect(e.message).toMatch(/^cannot load the ONNX files of .*vision_encoder\.onnx/);
  });

  it("reports a wrong signature: encoder and decoder swapped, or outputs renamed", async () => {
    const dir = tinyModel({ family: "sam" });
    const enc = join(dir, "onnx", "vision_encoder.onnx");
    const dec = join(dir, "onnx", "prompt_encoder_mask_decoder.onnx");
    renameSync(enc, `${enc}.tmp`);
    renameSync(dec, enc);
    renameSync(`${enc}.tmp`, dec);
    const e = await loadError(dir);
    expect(e.message).toMatch(
      /vision_encoder\.onnx does not look like a SAM vision encoder: it lacks pixel_values/,
    );

    const sam2 = tinyModel({ family: "sam2" });
    // A SAM 2 folder whose decoder is a SAM 1 decoder: it lacks the multi-level embedding inputs.
    writeFileSync(join(sam2, "onnx", "prompt_encoder_mask_decoder.onnx"), buildDecoder({ family: "sam" }));
    expect((await loadError(sam2)).message).toMatch(
      /lacks image_embeddings\.0, image_embeddings\.1, image_embeddings\.2/,
    );

    const g = new GraphBuilder();
    g.input("pixel_values", FLOAT, ["batch_size", 3, 1024, 1024]);
    g.op("Identity", ["pixel_values"], {}, "features");
    g.output("features", FLOAT, ["batch_size", 3, 1024, 1024]);
    const other = tinyModel({ family: "sam" });
    writeFileSync(join(other, "onnx", "vision_encoder.onnx"), g.encode());
    expect((await loadError(other)).message).toMatch(
      /lacks image_embeddings, image_positional_embeddings \(it has features\)/,
    );
  });
});

describe("execution providers", () => {
  it("--device cuda fails with a clear reason when onnxruntime-node has no CUDA provider", async () => {
    const reason = cudaUnavailableReason();
    if (reason === null) return; // a machine with the CUDA provider installed: nothing to refuse
    expect(reason).toMatch(/CUDA provider|only on Linux x64/);
    expect(() => assertDeviceAvailable("cuda")).toThrow(
      /--device cuda is not available: .*Use --device cpu\./,
    );
    const e = await (async () => {
      try {
        await loadSamRuntime(tinyModel({ family: "sam" }), { device: "cuda" });
      } catch (err) {
        return err as Error;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(UserError);
    expect(e?.message).toMatch(/^--device cuda is not available/);
  });
});
