/**
 * The small subset of the ONNX protobuf schema needed to write test models (onnx.proto3 field numbers),
 * plus a tiny graph builder. onnxruntime accepts the encoded bytes directly.
 */
import protobuf from "protobufjs";

const schema = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: "int64", id: 1 },
            producerName: { type: "string", id: 2 },
            graph: { type: "GraphProto", id: 7 },
            opsetImport: { rule: "repeated", type: "OperatorSetIdProto", id: 8 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: "string", id: 1 }, version: { type: "int64", id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: "repeated", type: "NodeProto", id: 1 },
            name: { type: "string", id: 2 },
            initializer: { rule: "repeated", type: "TensorProto", id: 5 },
            input: { rule: "repeated", type: "ValueInfoProto", id: 11 },
            output: { rule: "repeated", type: "ValueInfoProto", id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: "repeated", type: "string", id: 1 },
            output: { rule: "repeated", type: "string", id: 2 },
            name: { type: "string", id: 3 },
            opType: { type: "string", id: 4 },
            attribute: { rule: "repeated", type: "AttributeProto", id: 5 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: "string", id: 1 },
            f: { type: "float", id: 2 },
            i: { type: "int64", id: 3 },
            t: { type: "TensorProto", id: 5 },
            floats: { rule: "repeated", type: "float", id: 7 },
            ints: { rule: "repeated", type: "int64", id: 8 },
            type: { type: "int32", id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: "repeated", type: "int64", id: 1 },
            dataType: { type: "int32", id: 2 },
            floatData: { rule: "repeated", type: "float", id: 4 },
            int64Data: { rule: "repeated", type: "int64", id: 7 },
            name: { type: "string", id: 8 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: "string", id: 1 }, type: { type: "TypeProto", id: 2 } },
        },
        TypeProto: {
          fields: { tensorType: { type: "TensorTypeProto", id: 1 } },
        },
        TensorTypeProto: {
          fields: { elemType: { type: "int32", id: 1 }, shape: { type: "TensorShapeProto", id: 2 } },
        },
        TensorShapeProto: {
          fields: { dim: { rule: "repeated", type: "Dimension", id: 1 } },
        },
        Dimension: {
          oneofs: { value: { oneof: ["dimValue", "dimParam"] } },
          fields: { dimValue: { type: "int64", id: 1 }, dimParam: { type: "string", id: 2 } },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);
const ModelProto = root.lookupType("onnx.ModelProto");

export const FLOAT = 1;
export const INT64 = 7;

/** A dimension: a fixed size or a symbolic name such as "batch_size". */
export type Dim = number | string;

type AttrValue = number | number[] | { f: number } | { floats: number[] } | { tensor: TensorSpec };
interface TensorSpec {
  dims: number[];
  type: typeof FLOAT | typeof INT64;
  data: number[];
}

function tensorProto(name: string, t: TensorSpec): Record<string, unknown> {
  return t.type === FLOAT
    ? { name, dims: t.dims, dataType: FLOAT, floatData: t.data }
    : { name, dims: t.dims, dataType: INT64, int64Data: t.data };
}

function valueInfo(name: string, elemType: number, dims: Dim[]): Record<string, unknown> {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Builds a single ONNX graph node by node; names are generated unless given. */
export class GraphBuilder {
  private readonly nodes: Record<string, unknown>[] = [];
  private readonly inits: Record<string, unknown>[] = [];
  private readonly inputs: Record<string, unknown>[] = [];
  private readonly outputs: Record<string, unknown>[] = [];
  private n = 0;

  input(name: string, elemType: number, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  constF(dims: number[], data: number[]): string {
    const name = `c${this.n++}`;
    this.inits.push(tensorProto(name, { dims, type: FLOAT, data }));
    return name;
  }

  constI(dims: number[], data: number[]): string {
    const name = `c${this.n++}`;
    this.inits.push(tensorProto(name, { dims, type: INT64, data }));
    return name;
  }

  /** Add a node; returns its (first) output name, `out` when given. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    const output = out ?? `t${this.n++}`;
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === "number") return { name, i: v, type: 2 };
      if (Array.isArray(v)) return { name, ints: v, type: 7 };
      if ("f" in v) return { name, f: v.f, type: 1 };
      if ("floats" in v) return { name, floats: v.floats, type: 6 };
      return { name, t: tensorProto(`${name}_t`, v.tensor), type: 4 };
    });
    this.nodes.push({ input: inputs, output: [output], opType, name: `n${this.n++}`, attribute });
    return output;
  }

  /** Encode as ONNX bytes (opset 17). */
  encode(): Uint8Array {
    const model = ModelProto.fromObject({
      irVersion: 8,
      producerName: "som-test",
      opsetImport: [{ domain: "", version: 17 }],
      graph: {
        name: "g",
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return ModelProto.encode(model).finish();
  }
}
