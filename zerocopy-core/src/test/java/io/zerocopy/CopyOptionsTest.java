package io.zerocopy;

import static io.zerocopy.testkit.Payloads.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.CopyOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zerocopy.testkit.InlineStrategy;
import io.zerocopy.testkit.Payloads;

/**
 * {@code transfer(Path, Path, CopyOption...)} against {@code Files.copy} on the same inputs:
 * each case is set up twice, in {@code jdk/} and {@code ours/}, and the outcomes (exception
 * type, bytes, permission bits, times, links) compared. Also pins the two-argument form.
 */
class CopyOptionsTest {

    private static final CopyOption REPLACE = StandardCopyOption.REPLACE_EXISTING;
    private static final CopyOption ATTRIBUTES = StandardCopyOption.COPY_ATTRIBUTES;
    private static final CopyOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final byte[] PAYLOAD = Payloads.of((1 << 20) + 3, 15);
    private static final byte[] OLD = Payloads.of(5000, 16);

    @TempDir
    Path root;
    Path jdk;
    Path ours;

    @BeforeEach
    void dirs() throws IOException {
        assumeTrue(root.getFileSystem().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
        jdk = Files.createDirectory(root.resolve("jdk"));
        ours = Files.createDirectory(root.resolve("ours"));
    }

    /** A source file with these bytes and permission bits, in both directories. */
    private void source(byte[] bytes, String mode) throws IOException {
        for (Path d : new Path[] {jdk, ours}) {
            Files.write(d.resolve("src"), bytes);
            Files.setPosixFilePermissions(d.resolve("src"), PosixFilePermissions.fromString(mode));
        }
    }

    private void existingTarget(String mode) throws IOException {
        for (Path d : new Path[] {jdk, ours}) {
            Files.write(d.resolve("dst"), OLD);
            Files.setPosixFilePermissions(d.resolve("dst"), PosixFilePermissions.fromString(mode));
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** Runs Files.copy and ours with the options; both must end alike. */
    private long both(CopyOption... options) throws IOException {
        Files.copy(jdk.resolve("src"), jdk.resolve("dst"), options);
        long n = ZeroCopy.transfer(ours.resolve("src"), ours.resolve("dst"), options);
        assertEquals(mode(jdk.resolve("dst")), mode(ours.resolve("dst")), "permission bits as Files.copy");
        assertSameBytes(Files.readAllBytes(jdk.resolve("dst")), Files.readAllBytes(ours.resolve("dst")), "bytes as Files.copy");
        return n;
    }

    @Nested
    class ANewTarget {

        @Test
        void getsTheBytesAndTheSourcesPermissionBitsWithAndWithoutOptions() throws Exception {
            for (String m : new String[] {"rwxr-x---", "rw-------", "r--r--r--"}) {
                source(PAYLOAD, m);
                assertEquals(PAYLOAD.length, both());
                assertEquals(m, mode(ours.resolve("dst")), "0750, 0600, 0444 kept (umask 022 leaves them)");
                assertSameBytes(PAYLOAD, Files.readAllBytes(ours.resolve("dst")), m);
                Files.delete(ours.resolve("dst"));
                Files.delete(jdk.resolve("dst"));
                assertEquals(PAYLOAD.length, ZeroCopy.transfer(ours.resolve("src"), ours.resolve("dst")));
                assertEquals(m, mode(ours.resolve("dst")), "the two-argument form on a new file");
                assertSameBytes(PAYLOAD, Files.readAllBytes(ours.resolve("dst")), m);
                Files.delete(ours.resolve("dst"));
            }
        }

        @Test
        void anEmptySourceGivesAnEmptyFile() throws Exception {
            source(new byte[0], "rw-r-----");
            assertEquals(0, both(ATTRIBUTES));
            assertEquals(0, Files.size(ours.resolve("dst")));
        }
    }

    @Nested
    class AnExistingTarget {

        @Test
        void isRefusedWithoutReplaceExistingAndLeftAlone() throws Exception {
            source(PAYLOAD, "rwxr-x---");
            existingTarget("rw-r--r--");
            assertThrows(FileAlreadyExistsException.class, () -> Files.copy(jdk.resolve("src"), jdk.resolve("dst")));
            FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                    () -> ZeroCopy.transfer(ours.resolve("src"), ours.resolve("dst"), ATTRIBUTES));
            assertTrue(e.getMessage().contains("dst"), e.toString());
            assertSameBytes(OLD, Files.readAllBytes(ours.resolve("dst")), "untouched");
            assertEquals("rw-r--r--", mode(ours.resolve("dst")));
        }

        @Test
        void aDanglingLinkCountsAsExisting() throws Exception {
            source(PAYLOAD, "rw-r--r--");
            for (Path d : new Path[] {jdk, ours}) {
                Files.createSymbolicLink(d.resolve("dst"), d.resolve("nowhere"));
            }
            assertThrows(FileAlreadyExistsException.class, () -> Files.copy(jdk.resolve("src"), jdk.resolve("dst")));
            assertThrows(FileAlreadyExistsException.class, () -> ZeroCopy.transfer(ours.resolve("src"), ours.resolve("dst"), NOFOLLOW));
            assertFalse(Files.exists(ours.resolve("nowhere")), "the link is not followed to create a file");
        }

        @Test
        void isReplacedByANewFileWithReplaceExisting() throws Exception {
            source(PAYLOAD, "rwxr-x---");
            existingTarget("rw-rw-rw-");
            for (Path d : new Path[] {jdk, ours}) {
                Files.createLink(d.resolve("hardlink"), d.resolve("dst"));
            }
            assertEquals(PAYLOAD.length, both(REPLACE));
            assertEquals("rwxr-x---", mode(ours.resolve("dst")), "a new file: the source's bits, as Files.copy");
            assertSameBytes(OLD, Files.readAllBytes(jdk.resolve("hardlink")), "Files.copy made a new file");
            assertSameBytes(OLD, Files.readAllBytes(ours.resolve("hardlink")), "so do we");
        }

        @Test
        void aLinkIsReplacedNotFollowed() throws Exception {
            source(PAYLOAD, "rw-r-----");
            for (Path d : new Path[] {jdk, ours}) {
                Files.write(d.resolve("other"), OLD);
                Files.createSymbolicLink(d.resolve("dst"), d.resolve("other"));
            }
            both(REPLACE);
            for (Path d : new Path[] {jdk, ours}) {
                assertFalse(Files.isSymbolicLink(d.resolve("dst")), d.toString());
                assertSameBytes(OLD, Files.readAllBytes(d.resolve("other")), d + ": the link's file is untouched");
            }
        }

        @Test
        void theTwoArgumentFormWritesInPlaceAndKeepsTheTargetsBits() throws Exception {
            source(PAYLOAD, "rwxr-x---");
            existingTarget("rw-rw-r--");
            Files.createLink(ours.resolve("hardlink"), ours.resolve("dst"));
            assertEquals(PAYLOAD.length, ZeroCopy.transfer(ours.resolve("src"), ours.resolve("dst")));
            assertEquals("rw-rw-r--", mode(ours.resolve("dst")), "documented: unlike Files.copy(REPLACE_EXISTING)");
            assertSameBytes(PAYLOAD, Files.readAllBytes(ours.resolve("hardlink")), "the same inode, written in place");
        }
    }

    @Nested
    class CopyAttributes {

        @Test
        void copiesTheModeExactlyAndTheTimesAsFilesCopy() throws Exception {
            source(PAYLOAD, "rwxrwxrwx");
            FileTime modified = FileTime.from(Instant.parse("2020-02-29T12:34:56.123456Z")); // whole µs: JDK 17 copies µs
            FileTime accessed = FileTime.from(Instant.parse("2021-03-01T01:02:03Z"));
            for (Path d : new Path[] {jdk, ours}) {
                Files.getFileAttributeView(d.resolve("src"), java.nio.file.attribute.BasicFileAttributeView.class)
                        .setTimes(modified, accessed, null);
            }
            both(ATTRIBUTES);
            assertEquals("rwxrwxrwx", mode(ours.resolve("dst")), "fchmod after creation: the umask does not apply");
            assertEquals(Files.getLastModifiedTime(jdk.resolve("dst")), Files.getLastModifiedTime(ours.resolve("dst")));
            assertEquals(modified, Files.getLastModifiedTime(ours.resolve("dst")));
            // the access time is set too, but reading the copies to compare them moves it (relatime)
        }

        @Test
        void withoutItTheUmaskAppliesAndTheTimeIsNew() throws Exception {
            source(PAYLOAD, "rwxrwxrwx");
            FileTime old = FileTime.from(Instant.parse("2001-01-01T00:00:00Z"));
            Files.setLastModifiedTime(ours.resolve("src"), old);
            Files.setLastModifiedTime(jdk.resolve("src"), old);
            both();
            assertNotEquals(old, Files.getLastModifiedTime(ours.resolve("dst")));
        }
    }

    @Nested
    class NoFollowLinks {

        @BeforeEach
        void linkSource() throws IOException {
            for (Path d : new Path[] {jdk, ours}) {
                Files.write(d.resolve("file"), PAYLOAD);
                Files.createSymbolicLink(d.resolve("src"), Path.of("file"));
            }
        }

        @Test
        void copiesALinkAsALink() throws Exception {
            Files.copy(jdk.resolve("src"), jdk.resolve("dst"), NOFOLLOW);
            assertEquals(0, ZeroCopy.transfer(ours.resolve("src"), ours.resolve("dst"), NOFOLLOW, ATTRIBUTES));
            assertTrue(Files.isSymbolicLink(ours.resolve("dst")));
            assertEquals(Files.readSymbolicLink(jdk.resolve("dst")), Files.readSymbolicLink(ours.resolve("dst")));
            assertEquals(Path.of("file"), Files.readSymbolicLink(ours.resolve("dst")));
        }

        @Test
        void replacesAnExistingTargetWithTheLink() throws Exception {
            existingTarget("rw-r--r--");
            assertThrows(FileAlreadyExistsException.class, () -> ZeroCopy.transfer(ours.resolve("src"), ours.resolve("dst"), NOFOLLOW));
            ZeroCopy.transfer(ours.resolve("src"), ours.resolve("dst"), NOFOLLOW, REPLACE);
            assertEquals(Path.of("file"), Files.readSymbolicLink(ours.resolve("dst")));
        }

        @Test
        void withoutItTheLinkIsFollowed() throws Exception {
            assertEquals(PAYLOAD.length, both());
            assertFalse(Files.isSymbolicLink(ours.resolve("dst")));
        }
    }

    @Nested
    class Refusals {

        @BeforeEach
        void files() throws IOException {
            source(PAYLOAD, "rw-r--r--");
        }

        @Test
        void atomicMoveIsUnsupportedAndNamed() {
            Path src = ours.resolve("src");
            Path dst = ours.resolve("dst");
            assertThrows(UnsupportedOperationException.class, () -> Files.copy(src, jdk.resolve("dst"), StandardCopyOption.ATOMIC_MOVE));
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> ZeroCopy.transfer(src, dst, REPLACE, StandardCopyOption.ATOMIC_MOVE));
            assertTrue(e.getMessage().contains("ATOMIC_MOVE"), e.toString());
            assertFalse(Files.exists(dst));
        }

        @Test
        void anUnknownOptionIsUnsupported() {
            CopyOption odd = new CopyOption() {
                @Override
                public String toString() {
                    return "ODD";
                }
            };
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> ZeroCopy.transfer(ours.resolve("src"), ours.resolve("dst"), odd));
            assertTrue(e.getMessage().contains("ODD"), e.toString());
            assertFalse(Files.exists(ours.resolve("dst")));
        }

        @Test
        void nullsAreNamed() {
            Path src = ours.resolve("src");
            assertMessage(assertThrows(NullPointerException.class, () -> ZeroCopy.transfer(null, src, REPLACE)), "source");
            assertMessage(assertThrows(NullPointerException.class, () -> ZeroCopy.transfer(src, null, REPLACE)), "target");
            assertMessage(assertThrows(NullPointerException.class,
                    () -> ZeroCopy.transfer(src, ours.resolve("dst"), (CopyOption[]) null)), "options");
            assertMessage(assertThrows(NullPointerException.class,
                    () -> ZeroCopy.transfer(src, ours.resolve("dst"), REPLACE, null)), "options[1]");
            assertFalse(Files.exists(ours.resolve("dst")));
        }

        @Test
        void directoriesAndTheSameFileAreRefused() throws Exception {
            Path src = ours.resolve("src");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.transfer(src, ours, REPLACE)), "target is a directory");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> ZeroCopy.transfer(ours, ours.resolve("x"), REPLACE)), "source is a directory");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> ZeroCopy.transfer(src, src, REPLACE)), "same file");
            assertSameBytes(PAYLOAD, Files.readAllBytes(src), "the source is untouched");
        }

        @Test
        void aMissingSourceFailsAsFilesCopy() {
            assertThrows(java.nio.file.NoSuchFileException.class, () -> Files.copy(jdk.resolve("none"), jdk.resolve("dst")));
            assertThrows(java.nio.file.NoSuchFileException.class, () -> ZeroCopy.transfer(ours.resolve("none"), ours.resolve("dst"), REPLACE));
            assertFalse(Files.exists(ours.resolve("dst")));
        }

        private void assertMessage(Exception e, String expected) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(expected), "'" + e.getMessage() + "' lacks '" + expected + "'");
        }
    }

    @Nested
    class AFailedCopy {

        private final TransferEngine failing = ZeroCopy.builder().providers(false).threshold(0)
                .addFirst(InlineStrategy.of("breaks", t -> {
                    throw new IOException("the disk broke");
                })).build();

        @BeforeEach
        void files() throws IOException {
            source(PAYLOAD, "rw-r--r--");
        }

        @Test
        void deletesTheTargetItCreatedAsFilesCopyDoes() {
            TransferException e = assertThrows(TransferException.class,
                    () -> failing.transfer(ours.resolve("src"), ours.resolve("dst"), REPLACE, ATTRIBUTES));
            assertEquals("the disk broke", e.getCause().getMessage());
            assertEquals(0, e.bytesDelivered());
            assertFalse(Files.exists(ours.resolve("dst"), LinkOption.NOFOLLOW_LINKS));
        }

        @Test
        void anExistingTargetReplacedIsGone() throws Exception {
            existingTarget("rw-r--r--");
            assertThrows(TransferException.class, () -> failing.transfer(ours.resolve("src"), ours.resolve("dst"), REPLACE));
            assertFalse(Files.exists(ours.resolve("dst")), "as Files.copy: deleted before the copy, not restored");
        }

        @Test
        void theTwoArgumentFormKeepsTheTarget() throws Exception {
            assertThrows(TransferException.class, () -> failing.transfer(ours.resolve("src"), ours.resolve("dst")));
            assertTrue(Files.exists(ours.resolve("dst")), "documented: the target holds the bytes delivered");
        }
    }

}
