/** Types of readme-images.mjs. */
export function cdnPrefix(name: string, version: string): string;
export function toCdn(readme: string, name: string, version: string): string;
export function toLocal(readme: string, name: string): string;
