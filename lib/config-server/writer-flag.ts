/** Partition key value of the item naming the active writer region (SDK-free, shared by construct and runtime). */
export const WRITER_FLAG_KEY = '__writer__';
