package dev.hostguard.agent.path;

/**
 * The forms of one path the rules look at.
 *
 * @param given as the caller passed it
 * @param absolute made absolute against the base directory and lexically normalised ({@code .}, {@code ..} and
 *     {@code //} removed, no file-system access)
 * @param canonical symlinks resolved as far as the path exists (the missing tail appended to the real path of
 *     its longest existing prefix), so equal to {@code absolute} when nothing is a link. The {@code /proc} magic
 *     links {@code root}, {@code cwd}, {@code exe} and {@code map_files} are kept as they are, not followed: what
 *     they point to may live in another mount namespace, where the path read from the link means something else
 */
public record ResolvedPath(String given, String absolute, String canonical) {
}
