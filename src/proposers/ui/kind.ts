/** What a ui mark is; carried in the manifest as `kind`. */
export type UiKind = "text" | "button" | "input" | "checkbox" | "icon" | "image";
