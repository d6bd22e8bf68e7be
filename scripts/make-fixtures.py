#!/usr/bin/env python3
"""Writes the small binary fixtures of tests/unit/knowledge/parse.test.ts into tests/fixtures/knowledge/.

Standard library only, so anyone can regenerate them: `python3 scripts/make-fixtures.py`.
The output is deterministic (fixed zip timestamps), so re-running it leaves git clean.

- sample.pdf        two pages written by hand (a larger bold font for headings, 11 pt body text)
- sample.docx       a real WordprocessingML package: Heading 1 / Heading 2 styles, paragraphs, a table
- bomb.docx         sample.docx plus 60 MB of zeros (about 60 KB compressed): over the total size limit
- ratio-bomb.docx   sample.docx plus 10 MB of zeros: under the total limit, but a 1000:1 ratio
- lying.docx        an entry whose headers claim 1,000 bytes while its data inflates to 5 MB
- not-docx.zip      an ordinary zip (a text file and a markdown file), not a Word document
- image.png         a 1x1 PNG
"""
import os
import struct
import zipfile
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'knowledge')
FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def pdf_escape(text: str) -> str:
    return text.replace('\\', '\\\\').replace('(', '\\(').replace(')', '\\)')


def make_pdf() -> bytes:
    """A minimal PDF 1.4 with two pages; the xref table's offsets are computed, not guessed."""
    pages = [
        [('F2', 18, 'Shipping policy'),
         ('F1', 11, 'We ship every order within two business days from our warehouse in Lyon.'),
         ('F1', 11, 'Tracking numbers are sent by e-mail as soon as the parcel leaves.'),
         ('F2', 14, 'International shipping'),
         ('F1', 11, 'International parcels arrive in five to ten business days.')],
        [('F2', 18, 'Returns'),
         ('F1', 11, 'You can return any item within 30 days of delivery for a full refund.'),
         ('F1', 11, 'Refunds are issued to the original payment method within five days.')],
    ]
    objects: list[bytes] = []
    # 1 catalog, 2 page tree, 3 regular font, 4 bold font, then (page, content) pairs.
    page_ids = [5 + 2 * i for i in range(len(pages))]
    objects.append(b'<< /Type /Catalog /Pages 2 0 R >>')
    kids = ' '.join(f'{p} 0 R' for p in page_ids)
    objects.append(f'<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>'.encode())
    objects.append(b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>')
    objects.append(b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>')
    for i, lines in enumerate(pages):
        y = 740
        ops = []
        for font, size, text in lines:
            # A wider gap before a heading, as a real layout would have.
            y -= size * 2 if font == 'F2' else 16
            ops.append(f'BT /{font} {size} Tf 72 {y} Td ({pdf_escape(text)}) Tj ET')
        stream = '\n'.join(ops).encode('latin-1')
        objects.append(
            f'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] '
            f'/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {page_ids[i] + 1} 0 R >>'.encode())
        objects.append(b'<< /Length %d >>\nstream\n' % len(stream) + stream + b'\nendstream')
    out = bytearray(b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % n + body + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    for off in offsets:
        out += b'%010d 00000 n \n' % off
    out += b'trailer\n<< /Size %d /Root 1 0 R /Info << /Title (Shipping and returns) >> >>\n' % (len(objects) + 1)
    out += b'startxref\n%d\n%%%%EOF\n' % xref
    return bytes(out)


W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main'
CONTENT_TYPES = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Default Extension="bin" ContentType="application/octet-stream"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
</Types>'''
RELS = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>'''
DOC_RELS = '''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>'''
STYLES = f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/></w:style>
</w:styles>'''


def para(text: str, style: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ''
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def table(rows: list[list[str]]) -> str:
    body = ''.join('<w:tr>' + ''.join(f'<w:tc>{para(c)}</w:tc>' for c in row) + '</w:tr>' for row in rows)
    return f'<w:tbl><w:tblPr/>{body}</w:tbl>'


DOCUMENT = f'''<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}"><w:body>
{para('Politique de retour', 'Heading1')}
{para('Vous pouvez retourner un article dans les 30 jours suivant la livraison.')}
{para('Remboursements', 'Heading2')}
{para('Le remboursement est effectué sur le moyen de paiement d’origine sous cinq jours ouvrés.')}
{table([['Produit', 'Délai de retour'], ['Vêtements', '30 jours'], ['Électronique', '14 jours']])}
</w:body></w:document>'''


def write_zip(path: str, entries: list[tuple[str, bytes]], zeros: tuple[str, int] | None = None) -> None:
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in entries:
            zf.writestr(zipfile.ZipInfo(name, FIXED_TIME), data, zipfile.ZIP_DEFLATED)
        if zeros:
            name, size = zeros
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            # Streamed in 1 MB pieces so generating a 60 MB entry never holds it in memory.
            with zf.open(info, 'w', force_zip64=size > 0x7FFFFFFF) as f:
                chunk = bytes(1 << 20)
                for _ in range(size >> 20):
                    f.write(chunk)


def docx_entries() -> list[tuple[str, bytes]]:
    return [
        ('[Content_Types].xml', CONTENT_TYPES.encode()),
        ('_rels/.rels', RELS.encode()),
        ('word/_rels/document.xml.rels', DOC_RELS.encode()),
        ('word/styles.xml', STYLES.encode()),
        ('word/document.xml', DOCUMENT.encode()),
    ]


def make_lying_docx(path: str) -> None:
    """A zip whose local and central headers understate an entry's size (a classic bomb disguise)."""
    write_zip(path, docx_entries(), zeros=('word/media/blob.bin', 5 << 20))
    data = bytearray(open(path, 'rb').read())
    claimed = 1000
    # Central directory: find the record for the blob and its local header offset.
    eocd = data.rfind(b'PK\x05\x06')
    cd_offset = struct.unpack_from('<I', data, eocd + 16)[0]
    pos = cd_offset
    while data[pos:pos + 4] == b'PK\x01\x02':
        name_len, extra_len, comment_len = struct.unpack_from('<HHH', data, pos + 28)
        name = bytes(data[pos + 46:pos + 46 + name_len])
        if name == b'word/media/blob.bin':
            struct.pack_into('<I', data, pos + 24, claimed)
            local = struct.unpack_from('<I', data, pos + 42)[0]
            struct.pack_into('<I', data, local + 22, claimed)
        pos += 46 + name_len + extra_len + comment_len
    open(path, 'wb').write(bytes(data))


def make_png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))
    ihdr = struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(b'\x00\xff\x00\x00')) + chunk(b'IEND', b'')


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'sample.pdf'), 'wb') as f:
        f.write(make_pdf())
    write_zip(os.path.join(OUT, 'sample.docx'), docx_entries())
    write_zip(os.path.join(OUT, 'bomb.docx'), docx_entries(), zeros=('word/media/zeros.bin', 60 << 20))
    write_zip(os.path.join(OUT, 'ratio-bomb.docx'), docx_entries(), zeros=('word/media/zeros.bin', 10 << 20))
    make_lying_docx(os.path.join(OUT, 'lying.docx'))
    write_zip(os.path.join(OUT, 'not-docx.zip'), [
        ('hello.txt', b'Hello, this is not a Word document.\n'),
        ('notes/readme.md', b'# Notes\n\nJust a zip.\n'),
    ])
    with open(os.path.join(OUT, 'image.png'), 'wb') as f:
        f.write(make_png())
    for name in sorted(os.listdir(OUT)):
        print(f'{name:18} {os.path.getsize(os.path.join(OUT, name)):>8} bytes')


if __name__ == '__main__':
    main()
