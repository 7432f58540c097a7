import { accessSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * The Envoy ext_proc v3 protocol, from the .proto files that @grpc/grpc-js-xds (maintained by the gRPC team)
 * ships with their licenses under deps/: Envoy's API and its imports (xds, validate, googleapis).
 *
 * That copy of Envoy's API predates FULL_DUPLEX_STREAMED, the only body mode the EPP speaks, so it lacks the
 * field the EPP answers bodies with: BodyMutation.streamed_response (field 3, a StreamedBodyResponse with
 * `bytes body = 1; bool end_of_stream = 2`). A field unknown to the decoder is silently dropped, so it is added
 * to the loaded schema here.
 */
function protoRoots(): string[] {
  const pkg = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  return [
    ...['envoy-api', 'xds', 'protoc-gen-validate', 'googleapis'].map((d) => join(pkg, 'deps', d)),
    // google/protobuf/descriptor.proto (the options' types): protobufjs ships it but does not preload it.
    dirname(require.resolve('protobufjs/package.json')),
  ];
}

export function loadExtProcRoot(): protobuf.Root {
  const roots = protoRoots();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const dir of roots) {
      const candidate = join(dir, target);
      try {
        accessSync(candidate);
        return candidate;
      } catch {
        // try the next include root
      }
    }
    return target;
  };
  root.loadSync('envoy/service/ext_proc/v3/external_processor.proto', { keepCase: true });
  const ns = root.lookup('envoy.service.ext_proc.v3') as protobuf.Namespace;
  if (!root.lookup('envoy.service.ext_proc.v3.StreamedBodyResponse')) {
    ns.add(
      new protobuf.Type('StreamedBodyResponse')
        .add(new protobuf.Field('body', 1, 'bytes'))
        .add(new protobuf.Field('end_of_stream', 2, 'bool')),
    );
  }
  const bodyMutation = root.lookupType('envoy.service.ext_proc.v3.BodyMutation');
  if (!bodyMutation.fields.streamed_response) {
    const field = new protobuf.Field('streamed_response', 3, 'StreamedBodyResponse');
    bodyMutation.add(field);
    bodyMutation.oneofs.mutation.add(field);
  }
  root.resolveAll();
  return root;
}

/** ProcessingRequest out, ProcessingResponse in, as plain objects shaped the way the driver reads them. */
export interface ExtProcCodec {
  encodeRequest(message: Record<string, unknown>): Uint8Array;
  decodeResponse(bytes: Uint8Array): Record<string, unknown>;
}

let codec: ExtProcCodec | undefined;

export function extProcCodec(): ExtProcCodec {
  if (codec) return codec;
  const root = loadExtProcRoot();
  const request = root.lookupType('envoy.service.ext_proc.v3.ProcessingRequest');
  const response = root.lookupType('envoy.service.ext_proc.v3.ProcessingResponse');
  // Plain objects with the .proto field names (keepCase is in the loaded names): unset fields absent,
  // oneof names present, 64-bit integers as strings, enums as numbers, bytes as Buffers.
  const toObject: protobuf.IConversionOptions = { longs: String, enums: Number, defaults: false, oneofs: true };
  codec = {
    // fromObject checks and converts the plain object (e.g. a header value given as a string for bytes); it is a
    // small share of a message's cost next to the stream itself.
    encodeRequest: (m) => request.encode(request.fromObject(m)).finish(),
    decodeResponse: (b) => response.toObject(response.decode(b), toObject),
  };
  return codec;
}
