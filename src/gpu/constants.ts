/**
 * WebGPU flag values, as fixed by the WebGPU specification. Used instead of
 * the `GPUBufferUsage` / `GPUShaderStage` / `GPUMapMode` globals, which a
 * Node process that created its device itself may not have installed.
 */
export const BUFFER_USAGE = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const SHADER_STAGE_COMPUTE = 0x4;

export const MAP_MODE_READ = 0x0001;

/** Usage of every storage buffer the engine allocates. */
export const STORAGE_USAGE = BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_DST | BUFFER_USAGE.COPY_SRC;

/** Usage of readback buffers. */
export const READBACK_USAGE = BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST;
