// Splits /api/v0/component/<id>/<rest> into a component id and the path inside the component, as
// Alloy does: the longest leading part of the path that names an existing component wins, so that
// ids containing "/" (components inside modules) resolve too.

export const COMPONENT_PATH_PREFIX = "/api/v0/component/";

export interface ComponentPath {
  id: string;
  /** The rest of the path, with a leading "/" (and the trailing "/" the request had). */
  path: string;
}

/** Undefined when no leading part of the path is an existing component id. */
export function splitComponentPath(trimmed: string, exists: (id: string) => boolean): ComponentPath | undefined {
  let text = trimmed.startsWith("/") ? trimmed.slice(1) : trimmed;
  const trailingSlash = text.endsWith("/");
  if (trailingSlash) text = text.slice(0, -1);
  if (text === "") return undefined;
  // Longest candidate first: the whole string, then cut at each "/" from the right.
  let cut = text.length;
  while (cut > 0) {
    const id = text.slice(0, cut);
    if (exists(id)) {
      let rest = text.slice(cut);
      if (!rest.startsWith("/")) rest = "/" + rest;
      if (trailingSlash && !rest.endsWith("/")) rest += "/";
      return { id, path: rest };
    }
    cut = text.lastIndexOf("/", cut - 1);
  }
  return undefined;
}
