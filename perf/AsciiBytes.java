/**
 * Bytes written and searched in place, for the load client's hot paths (requests built in a
 * reused buffer, answers and events parsed where they were read): no String, no allocation.
 */
final class AsciiBytes {
    private AsciiBytes() {}

    /** Writes {@code s} (ASCII) at {@code p}; returns the offset after it. */
    static int ascii(byte[] b, int p, String s) {
        for (int i = 0; i < s.length(); i++) {
            b[p++] = (byte) s.charAt(i);
        }
        return p;
    }

    /** Writes {@code v} (>= 0) in decimal at {@code p}; returns the offset after it. */
    static int number(byte[] b, int p, long v) {
        if (v == 0) {
            b[p++] = '0';
            return p;
        }
        int start = p;
        for (; v > 0; v /= 10) {
            b[p++] = (byte) ('0' + v % 10);
        }
        for (int i = start, j = p - 1; i < j; i++, j--) {
            byte x = b[i];
            b[i] = b[j];
            b[j] = x;
        }
        return p;
    }

    /** Whether b[0, len) holds {@code word} (lower case), ignoring case. */
    static boolean containsIgnoreCase(byte[] b, int len, String word) {
        outer:
        for (int i = 0; i + word.length() <= len; i++) {
            for (int j = 0; j < word.length(); j++) {
                if (Character.toLowerCase(b[i + j]) != word.charAt(j)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Whether b[0, len) starts with {@code prefix} (lower case), ignoring case. */
    static boolean startsWithIgnoreCase(byte[] b, int len, String prefix) {
        if (len < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase(b[i]) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Where {@code what} first occurs in b[from, to), or -1. */
    static int indexOf(byte[] b, int from, int to, byte[] what) {
        outer:
        for (int i = from; i <= to - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
