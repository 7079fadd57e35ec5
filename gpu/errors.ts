/**
 * Named errors of the kernel API. Bad arguments are refused before any kernel runs, so a thrown
 * GpuError means no table, result or output buffer was touched. The kernels import nothing from
 * the rest of the project, so this is a plain Error with a stable `name` (the AIVM module turns it
 * into a ModuleError of the same name at its boundary, `vm/aivm/kernels.ts`).
 */

export type GpuErrorName =
  /** A struct argument has the wrong length, or an array argument is not a whole number of structs. */
  | 'BufferSizeMismatch'
  /** An attestation or model arena whose slot count is not a power of two. */
  | 'ArenaNotPowerOfTwo'
  /** inference_step / proof_verify: results, inputs or outputs do not match the op count. */
  | 'BatchSizeMismatch'
  /** A kernel's output buffer shares memory with another of its buffer arguments (views of one ArrayBuffer whose byte ranges intersect). */
  | 'BufferOverlap'
  /** Model weights with a right-shift outside 0..31. */
  | 'InvalidShift'
  /** A struct field value that does not fit its type (encode helpers). */
  | 'InvalidField'
  /** A tiny-classifier model file that is not the 630-byte format. */
  | 'InvalidModelFile'
  /** An AI precompile call with an execution mode other than 0, 1, 2. */
  | 'InvalidExecutionMode'
  /** setBackend named a backend that is not built or not available on this machine. */
  | 'BackendUnavailable'
  /** setBackend / registerBackend with a name that is not a backend. */
  | 'UnknownBackend';

export class GpuError extends Error {
  declare readonly name: GpuErrorName;
  readonly data: Record<string, unknown> | undefined;
  constructor(name: GpuErrorName, message: string, data?: Record<string, unknown>) {
    super(message);
    this.name = name;
    this.data = data;
  }
}
