/** Shared shapes of the raw cdktf baseline's stages (bench/cdktf-raw.ts). */

export type Flavour = 'cdktf' | 'cdktn';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
