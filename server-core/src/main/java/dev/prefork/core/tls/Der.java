package dev.prefork.core.tls;

import java.io.ByteArrayOutputStream;

/** The little DER that re-wrapping PKCS#1 and SEC1 keys as PKCS#8 needs: definite lengths, one level of TLVs. */
final class Der {
    private Der() {
    }

    static byte[] tagged(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /**
     * The curve OID (with its tag and length) of a SEC1 {@code ECPrivateKey}: SEQUENCE { INTEGER 1, OCTET STRING,
     * [0] OID, [1] BIT STRING }; null when [0] is absent or the structure is not what it should be.
     */
    static byte[] ecCurveOid(byte[] sec1) {
        try {
            int[] seq = header(sec1, 0);
            if ((sec1[0] & 0xff) != 0x30) {
                return null;
            }
            int pos = seq[0];
            int end = seq[0] + seq[1];
            while (pos < end) {
                int tag = sec1[pos] & 0xff;
                int[] h = header(sec1, pos);
                if (tag == 0xa0) {
                    int[] oid = header(sec1, h[0]);
                    if ((sec1[h[0]] & 0xff) != 0x06) {
                        return null;
                    }
                    byte[] out = new byte[oid[0] - h[0] + oid[1]];
                    System.arraycopy(sec1, h[0], out, 0, out.length);
                    return out;
                }
                pos = h[0] + h[1];
            }
            return null;
        } catch (ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    /** For the TLV at {@code pos}: {content start, content length}. */
    private static int[] header(byte[] der, int pos) {
        int first = der[pos + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {pos + 2, first};
        }
        int bytes = first & 0x7f;
        if (bytes == 0 || bytes > 4) {
            throw new ArrayIndexOutOfBoundsException("unsupported DER length");
        }
        int length = 0;
        for (int i = 0; i < bytes; i++) {
            length = (length << 8) | (der[pos + 2 + i] & 0xff);
        }
        return new int[] {pos + 2 + bytes, length};
    }
}
