"""Visible focus (issue #16, WCAG 2.4.7 and 1.4.11) in Chromium: tabbing through the public
pages, every stop is visible (no 1×1 px stop), draws a solid outline of at least 2 px, and
the outline's colour has at least 3:1 contrast against the background it is drawn on, the
red header and the dark footer included. Form controls' borders are at least 3:1 too."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

# Reads the focused element's outline and the first opaque background behind it.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  let node = el.parentElement, background = 'rgb(255, 255, 255)';
  // The outline is drawn outside the element: the colour behind it is its parent's.
  while (node) {
    const color = getComputedStyle(node).backgroundColor;
    if (color && color !== 'rgba(0, 0, 0, 0)' && color !== 'transparent') {
      background = color;
      break;
    }
    // A gradient (the hero) has no background colour: its darker end is what shows.
    if (getComputedStyle(node).backgroundImage.includes('gradient')) {
      background = 'rgb(122, 15, 18)';
      break;
    }
    node = node.parentElement;
  }
  return {
    name: el.tagName + '#' + (el.id || '') + '.' + (el.className || '') + ' '
      + (el.textContent || '').trim().slice(0, 30),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor, background, width: box.width, height: box.height,
  };
}"""


def _rgb(text):
    parts = text[text.index("(") + 1 : text.index(")")].replace("/", ",").split(",")
    return [float(p) for p in parts[:3]]


def _luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    high, low = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_says():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(11, 94, 215)", "rgb(255, 255, 255)"), 1) == 5.8
    assert contrast("rgb(222, 226, 230)", "rgb(255, 255, 255)") < 1.5  # Bootstrap's border


@pytest.mark.parametrize("path", ["/", "/canh-bao/", "/khieu-nai/gui/", "/en/van-ban/"])
def test_every_tab_stop_shows_a_ring_of_3_to_1(page, path):
    page.goto(path)
    page.wait_for_load_state()
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        if seen and seen[-1] == focused["name"]:
            continue  # the next part of a date field: Chromium highlights the part itself
        seen.append(focused["name"])
        assert focused["width"] >= 8 and focused["height"] >= 8, focused  # no invisible stop
        assert focused["outlineStyle"] == "solid" and focused["outlineWidth"] >= 2, focused
        ratio = contrast(focused["outlineColor"], focused["background"])
        assert ratio >= 3, (ratio, focused)
    assert len(seen) >= 10  # header, navigation and the page's own controls were reached


def test_form_controls_have_borders_of_3_to_1(page):
    page.goto("/khieu-nai/gui/")
    page.wait_for_load_state()
    borders = page.evaluate(
        """() => [...document.querySelectorAll(
            'main input:not([type=hidden]), main select, main textarea'
          )].map(el => getComputedStyle(el).borderTopColor)"""
    )
    assert borders
    for color in borders:
        assert contrast(color, "rgb(255, 255, 255)") >= 3, color
