using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EventChat.Application.Privacy;

/// <summary>
/// The stored form of an attachment's bytes: "ECF1", then the file in 64 KiB chunks, each sealed with AES-256-GCM as
/// nonce | ciphertext | tag. Each chunk's associated data is (file id, chunk index, last-chunk flag), so chunks cannot be
/// swapped, reordered or cut off unnoticed. The last chunk is always short (possibly empty), so the plaintext length
/// follows from the stored length and any byte range is read by opening at most two chunks, which keeps range
/// requests (resumable downloads, seeking in a video) working.
/// </summary>
public static class SealedFile
{
    public const int ChunkBytes = 64 * 1024;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int Overhead = NonceBytes + TagBytes;
    private static readonly byte[] Magic = "ECF1"u8.ToArray();

    /// <summary>A read-only stream of the sealed form of <paramref name="plain"/>, produced as it is read.</summary>
    public static Stream Sealing(Stream plain, byte[] key, Guid fileId) => new SealingStream(plain, key, fileId);

    /// <summary>A read-only, seekable stream of the plaintext of <paramref name="sealedFile"/>, which must be seekable.</summary>
    public static Stream Opening(Stream sealedFile, byte[] key, Guid fileId) => new OpeningStream(sealedFile, key, fileId);

    private static byte[] Associated(Guid fileId, long index, bool last)
    {
        var data = new byte[25];
        fileId.TryWriteBytes(data.AsSpan(0, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(16, 8), index);
        data[24] = last ? (byte)1 : (byte)0;
        return data;
    }

    private sealed class SealingStream(Stream plain, byte[] key, Guid fileId) : ReadOnlyStream
    {
        private readonly AesGcm _aes = new(key, TagBytes);
        private readonly byte[] _chunk = new byte[ChunkBytes];
        private byte[] _out = Magic;
        private int _offset;
        private long _index;
        private bool _done;

        public override int Read(Span<byte> buffer)
        {
            while (_offset == _out.Length)
            {
                if (_done)
                    return 0;
                NextChunk();
            }
            var n = Math.Min(buffer.Length, _out.Length - _offset);
            _out.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        private void NextChunk()
        {
            var filled = 0;
            int read;
            while (filled < ChunkBytes && (read = plain.Read(_chunk, filled, ChunkBytes - filled)) > 0)
                filled += read;
            // A short chunk ends the file; a file of whole chunks gets an empty last one.
            var last = filled < ChunkBytes;
            var output = new byte[filled + Overhead];
            RandomNumberGenerator.Fill(output.AsSpan(0, NonceBytes));
            _aes.Encrypt(output.AsSpan(0, NonceBytes), _chunk.AsSpan(0, filled), output.AsSpan(NonceBytes, filled), output.AsSpan(NonceBytes + filled), Associated(fileId, _index++, last));
            (_out, _offset, _done) = (output, 0, last);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _aes.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class OpeningStream : ReadOnlyStream
    {
        private readonly Stream _sealed;
        private readonly AesGcm _aes;
        private readonly Guid _fileId;
        private readonly long _chunks;
        private long _loadedIndex = -1;
        private byte[] _loaded = [];

        public OpeningStream(Stream sealedFile, byte[] key, Guid fileId)
        {
            (_sealed, _aes, _fileId) = (sealedFile, new AesGcm(key, TagBytes), fileId);
            Span<byte> magic = stackalloc byte[Magic.Length];
            sealedFile.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic))
                throw new CryptographicException("Not a sealed file.");
            var body = sealedFile.Length - Magic.Length;
            _chunks = (body - Overhead) / (ChunkBytes + Overhead) + 1;
            Length = body - _chunks * Overhead;
        }

        public override bool CanSeek => true;
        public override long Length { get; }
        public override long Position { get; set; }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => Length + offset,
        };

        public override int Read(Span<byte> buffer)
        {
            if (Position >= Length)
                return 0;
            var index = Position / ChunkBytes;
            Load(index);
            var within = (int)(Position - index * ChunkBytes);
            var n = Math.Min(buffer.Length, _loaded.Length - within);
            _loaded.AsSpan(within, n).CopyTo(buffer);
            Position += n;
            return n;
        }

        private void Load(long index)
        {
            if (index == _loadedIndex)
                return;
            var last = index == _chunks - 1;
            var plainLength = last ? (int)(Length - index * ChunkBytes) : ChunkBytes;
            var input = new byte[plainLength + Overhead];
            _sealed.Position = Magic.Length + index * (ChunkBytes + Overhead);
            _sealed.ReadExactly(input);
            var plain = new byte[plainLength];
            _aes.Decrypt(input.AsSpan(0, NonceBytes), input.AsSpan(NonceBytes, plainLength), input.AsSpan(NonceBytes + plainLength), plain, Associated(_fileId, index, last));
            (_loaded, _loadedIndex) = (plain, index);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _aes.Dispose();
                _sealed.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    private abstract class ReadOnlyStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
