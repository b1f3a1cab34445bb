"""Writes small image files with Pillow (an independent encoder) for test/data_image.test.ts.

Run with /usr/bin/python3 (Debian's python3-pil). Writes test/fixtures/images/: BMP files
(1-bit, 8-bit grey and paletted, 24-bit, 32-bit), a 32-bit float TIFF, and expected.json:
for each file, the pixels Pillow holds, as H*W lists of C values (after conversion to
'L' for grey files or 'RGB'; the float values as stored).
"""
import json
import os

from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'images')
os.makedirs(OUT, exist_ok=True)

W, H = 5, 3  # odd width: rows need padding to 4 bytes


def rgb_pixels():
    return [((x * 50 + y * 7) % 256, (y * 90 + 3) % 256, (x * 17 + y * 31 + 100) % 256) for y in range(H) for x in range(W)]


expected = {}

img = Image.new('RGB', (W, H))
img.putdata(rgb_pixels())
img.save(os.path.join(OUT, 'rgb24.bmp'))
expected['rgb24.bmp'] = {'channels': 3, 'pixels': [list(p) for p in img.getdata()]}

grey = Image.new('L', (W, H))
grey.putdata([(x * 60 + y * 20) % 256 for y in range(H) for x in range(W)])
grey.save(os.path.join(OUT, 'grey8.bmp'))
expected['grey8.bmp'] = {'channels': 1, 'pixels': [[p] for p in grey.getdata()]}

pal = Image.new('P', (W, H))
palette = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 250, 200, 10] + [0] * (3 * 251)
pal.putpalette(palette)
pal.putdata([(x + y) % 5 for y in range(H) for x in range(W)])
pal.save(os.path.join(OUT, 'pal8.bmp'))
expected['pal8.bmp'] = {'channels': 3, 'pixels': [list(p) for p in pal.convert('RGB').getdata()]}

one = Image.new('1', (W + 6, H))  # 11 wide: bits cross a byte
one.putdata([255 if (x * y + x) % 3 == 0 else 0 for y in range(H) for x in range(W + 6)])
one.save(os.path.join(OUT, 'bw1.bmp'))
expected['bw1.bmp'] = {'channels': 1, 'pixels': [[p] for p in one.convert('L').getdata()]}

rgba = Image.new('RGBA', (W, H))
rgba.putdata([p + ((x * 40) % 256,) for p, x in zip(rgb_pixels(), [i % W for i in range(W * H)])])
rgba.save(os.path.join(OUT, 'rgba32.bmp'))
expected['rgba32.bmp'] = {'channels': 3, 'pixels': [list(p) for p in rgba.convert('RGB').getdata()]}

flt = Image.new('F', (3, 2))
flt.putdata([0.5, -1.25, 1000.0, 3.0, 65536.5, 0.125])
flt.save(os.path.join(OUT, 'float32.tif'))
expected['float32.tif'] = {'channels': 1, 'pixels': [[p] for p in flt.getdata()]}

for name in expected:
    expected[name]['width'] = Image.open(os.path.join(OUT, name)).size[0]
    expected[name]['height'] = Image.open(os.path.join(OUT, name)).size[1]

with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f)
print('wrote', sorted(expected))
