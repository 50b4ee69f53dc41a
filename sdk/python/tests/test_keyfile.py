"""Key files and one-line rings: good ones parse in ring order with each mode's current key;
bad ones are refused with a message that names the line and never contains the secret."""

import base64
import calendar
import os
import tempfile
import unittest

from linkpay import KeyFileError, keys_from_env, parse_key_file, parse_key_ring, read_key_file

S1 = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
S2 = base64.urlsafe_b64encode(bytes(range(100, 132))).rstrip(b"=").decode()
S3 = base64.urlsafe_b64encode(bytes(range(200, 232))).rstrip(b"=").decode()
SECRETS = (S1, S2, S3)

GOOD = f"""# linkpay link-signing keys (format: docs/cli.md). Secret: keep this file mode 0600.

linkpay-keys v1
key k4 2027-03-01T09:00:00Z {S1}
key k3 2026-03-01T09:00:00Z {S2} live
key k2 2026-03-01T09:00:00Z {S3}
retired k1 2025-03-01T09:00:00Z 2027-03-02T10:00:00Z
"""


class KeyFiles(unittest.TestCase):
    def assert_refused(self, text: str, line: int, *words: str) -> KeyFileError:
        with self.assertRaises(KeyFileError) as caught:
            parse_key_file(text)
        e = caught.exception
        self.assertEqual(e.line, line, str(e))
        self.assertTrue(str(e).startswith(f"line {line}: "), str(e))
        for word in words:
            self.assertIn(word, str(e))
        for secret in SECRETS:
            self.assertNotIn(secret, str(e) + repr(e))
            self.assertNotIn(secret[:20], str(e))
        return e

    def test_a_good_file(self) -> None:
        ring = parse_key_file(GOOD)
        self.assertEqual([(k.kid, k.mode) for k in ring], [("k4", "test"), ("k3", "live"), ("k2", "test")])
        self.assertEqual(ring.current(False).kid, "k4")
        self.assertEqual(ring.current(True).kid, "k3")
        self.assertEqual(ring.get("k2").secret, bytes(range(200, 232)))
        self.assertEqual(ring.retired, frozenset({"k1"}))
        self.assertEqual(ring.get("k4").created, calendar.timegm((2027, 3, 1, 9, 0, 0)))
        self.assertEqual(ring.export(), f"k4:{S1},k3:{S2}:live,k2:{S3}")
        self.assertEqual(parse_key_file(GOOD.replace("\n", "\r\n")).export(), ring.export())
        self.assertNotIn(S1, repr(ring) + repr(list(ring)))

    def test_a_file_with_test_keys_only_has_no_live_key(self) -> None:
        ring = parse_key_file(f"linkpay-keys v1\nkey k1 2025-01-01T00:00:00+09:00 {S1}\n")
        self.assertIsNone(ring.current(True))
        self.assertEqual(ring.current(False).kid, "k1")

    def test_bad_files_name_the_line_and_hide_secrets(self) -> None:
        header = "# comment\nlinkpay-keys v1\n"
        self.assert_refused("", 1, "empty")
        self.assert_refused("\n# only comments\n", 1, "empty")
        self.assert_refused(f"key k1 2026-01-01T00:00:00Z {S1}\n", 1, "linkpay-keys v1")
        self.assert_refused("linkpay-keys v2\n", 1)
        self.assert_refused(header + f"key k1 2026-01-01T00:00:00Z {S1} test\n", 3, "expected")
        self.assert_refused(header + f"key k1 {S1}\n", 3, "expected")
        self.assert_refused(header + f"key {S1} 2026-01-01T00:00:00Z k1\n", 3, "key id")
        self.assert_refused(header + f"key k1 yesterday {S1}\n", 3, "k1", "RFC 3339")
        self.assert_refused(header + f"key k1 2026-02-30T00:00:00Z {S1}\n", 3, "RFC 3339")
        self.assert_refused(header + f"key k1 2026-01-01T00:00:00Z {S1}=\n", 3, "base64url")
        self.assert_refused(header + f"key k1 2026-01-01T00:00:00Z {S1[:40]}\n", 3, "at least 32 bytes")
        self.assert_refused(header + f"key k1 2026-01-01T00:00:00Z {S1}\nkey k1 2026-01-01T00:00:00Z {S2}\n",
                            4, "twice")
        self.assert_refused(header + f"retired k1 2026-01-01T00:00:00Z 2026-02-01T00:00:00Z\n"
                            f"key k2 2026-01-01T00:00:00Z {S2}\n", 4, "before")
        self.assert_refused(header + f"kee k1 2026-01-01T00:00:00Z {S1}\n", 3, "`key` or `retired`")
        self.assert_refused(header + "retired k1 2026-01-01T00:00:00Z soon\n", 3, "retired time")
        with self.assertRaises(KeyFileError) as caught:
            parse_key_file(header + "retired k1 2026-01-01T00:00:00Z 2026-02-01T00:00:00Z\n")
        self.assertEqual(caught.exception.code, "no_keys")

    def test_one_line_rings(self) -> None:
        ring = parse_key_ring(f" k4:{S1}, k3:{S2}:live ,k2:{S3}:test,")
        self.assertEqual([(k.kid, k.live) for k in ring], [("k4", False), ("k3", True), ("k2", False)])
        self.assertEqual(ring.current(True).kid, "k3")
        for bad, words in [
            ("", "no keys"),
            (S1, "entry 1"),
            (f"k1:{S1}:prod", "live or test"),
            (f"k1:{S1}:live:x", "expected"),
            (f"k1:{S1[:30]}", "at least 32 bytes"),
            (f"k1:{S1},k1:{S2}", "twice"),
            (f"{S1}:{S2}", "entry 1"),
            (f"bad kid!:{S1}", "key id"),
        ]:
            with self.subTest(bad=bad[:20]):
                with self.assertRaises(KeyFileError) as caught:
                    parse_key_ring(bad)
                self.assertIn(words, str(caught.exception))
                for secret in SECRETS:
                    self.assertNotIn(secret[:20], str(caught.exception))

    def test_reading_a_file_refuses_one_others_can_read(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "keys")
            with open(path, "w", encoding="utf-8") as f:
                f.write(GOOD)
            os.chmod(path, 0o600)
            self.assertEqual(read_key_file(path).current(False).kid, "k4")
            self.assertEqual(keys_from_env({"LINKPAY_LINK_KEYS_FILE": path}).current(True).kid, "k3")
            if os.name == "posix":
                os.chmod(path, 0o644)
                with self.assertRaises(KeyFileError) as caught:
                    read_key_file(path)
                self.assertEqual(caught.exception.code, "insecure_key_file")
                self.assertIn("chmod 600", str(caught.exception))
                self.assertEqual(read_key_file(path, check_permissions=False).current(False).kid, "k4")
            with open(path, "w", encoding="utf-8") as f:
                f.write(GOOD.replace("linkpay-keys v1\n", "linkpay-keys v1\nkey k9\n"))
            os.chmod(path, 0o600)
            with self.assertRaises(KeyFileError) as caught:
                read_key_file(path)
            self.assertEqual(caught.exception.line, 4)
            self.assertIn(path, str(caught.exception))

    def test_keys_from_the_environment(self) -> None:
        self.assertEqual(keys_from_env({"LINKPAY_LINK_KEYS": f"k1:{S1}"}).current(False).kid, "k1")
        for env in ({}, {"LINKPAY_LINK_KEYS": f"k1:{S1}", "LINKPAY_LINK_KEYS_FILE": "/x"}):
            with self.assertRaises(KeyFileError):
                keys_from_env(env)


if __name__ == "__main__":
    unittest.main()
