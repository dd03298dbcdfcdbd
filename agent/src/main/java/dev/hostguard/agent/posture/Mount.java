package dev.hostguard.agent.posture;

import java.util.List;

/**
 * One line of {@code /proc/<pid>/mountinfo} (see proc(5)), escapes decoded.
 *
 * @param root         the directory of the mounted filesystem that appears at {@code mountPoint}: {@code /} for a
 *                     whole filesystem, a sub-path (or a file) for a bind mount
 * @param options      per-mount options ({@code rw}, {@code nosuid}, ...)
 * @param fsType       the filesystem type ({@code ext4}, {@code overlay}, {@code tmpfs}, ...)
 * @param source       filesystem-specific source ({@code /dev/vda1}, {@code overlay}, {@code none}, may be empty)
 * @param superOptions per-superblock options
 */
public record Mount(int id, int parentId, String root, String mountPoint, List<String> options, String fsType,
                    String source, List<String> superOptions) {
    public Mount {
        options = List.copyOf(options);
        superOptions = List.copyOf(superOptions);
    }
}
