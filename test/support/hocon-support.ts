// Parses rendered HOCON with a real parser (@pushcorn/hocon-parser). Substitutions such as
// the database password's `${CANTON_DB_PASSWORD}` resolve from the given environment.
import { parse } from "@pushcorn/hocon-parser";
import { DB_PASSWORD_ENV } from "../../components/canton/layout";

export async function parseHocon(text: string, vars: Record<string, string> = { [DB_PASSWORD_ENV]: "pw-from-env" }): Promise<any> {
  const saved = { ...process.env };
  Object.assign(process.env, vars);
  try {
    return await parse({ text });
  } finally {
    process.env = saved;
  }
}
