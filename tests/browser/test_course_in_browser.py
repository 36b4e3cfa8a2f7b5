"""The course as a trainee meets it: `make lab` offline, JupyterLab in Debian's chromium, lessons run.

Playwright (the Python package) drives the system browser at /usr/bin/chromium;
Playwright's own browser download is never used. JupyterLab is started by
`make lab` itself (with PIP_NO_INDEX=1, so a network call by pip would fail)
on 127.0.0.1 with a random token. The start page is the trainees' 课程目录
and its Chinese glyphs must render (not boxes: `make test-browser` installs
fonts-noto-cjk). Lessons 01, 04 and 06 are opened and run from top to bottom;
no cell may show an error or anything on stderr, no Markdown marker may be
left on screen, and every chart must be a loaded image. One what-if slider is
moved with the keyboard and the subsidy shown by the panel must change; after
a kernel restart the panel must say so. Screenshots go to the test's tmp dir.
"""
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`make lab` on 127.0.0.1 with a token; yields (base URL, token)."""
    port, token = _free_port(), secrets.token_hex(16)
    home = tmp_path_factory.mktemp("lab")
    log = home / "lab.log"
    # the test's own workspace and user settings: autosave off, so running the lessons never writes them
    settings = home / "settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text('{"autosave": false}', encoding="utf-8")
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token} "
            "--LabApp.expose_app_in_browser=True")
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS="", JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    with open(log, "wb") as out:
        proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if proc.poll() is not None:
                pytest.fail(f"make lab exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not start in 60 s:\n{log.read_text(errors='replace')}")
        yield base, token
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def test_make_lab_is_offline_once_set_up():
    """With the environment current, `make lab` runs no pip (so no network): only jupyter lab."""
    plan = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "jupyter lab" in plan
    assert "pip" not in plan


CURRENT = "window.jupyterapp.shell.currentWidget"


def _open_and_run(page, base, token, notebook, shots):
    """Open ``notebook`` in a fresh workspace, run all cells, check outputs; return the number of charts."""
    path = f"notebooks/course/{notebook}"
    page.goto(f"{base}/lab/tree/{path}?reset&token={token}")
    page.wait_for_function(f"(p) => window.jupyterapp && {CURRENT} && {CURRENT}.context && {CURRENT}.context.path === p"
                           f" && {CURRENT}.sessionContext.session && {CURRENT}.sessionContext.session.kernel"
                           f" && {CURRENT}.sessionContext.session.kernel.status === 'idle'", arg=path, timeout=60_000)
    nb = "#" + page.evaluate(f"() => {CURRENT}.id")
    # the kernel the notebook names, with costing installed
    assert page.locator(f"{nb} .jp-Toolbar-kernelName").inner_text().strip() == "Python (costing)"
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # done when every code cell shows an execution count and the kernel is idle again
    page.wait_for_function(
        f"""(nb) => {{
            const prompts = [...document.querySelectorAll(nb + ' .jp-CodeCell .jp-InputArea-prompt')];
            const k = {CURRENT}.sessionContext.session.kernel;
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)) && k.status === 'idle';
        }}""", arg=nb, timeout=120_000)
    page.screenshot(path=str(shots / f"{notebook}.png"))
    errors = page.locator(f"{nb} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()[:2000]
    page.wait_for_function("(nb) => [...document.querySelectorAll(nb + ' .jp-RenderedImage img')]"
                           ".every(i => i.complete && i.naturalWidth > 100)", arg=nb, timeout=30_000)
    return nb, page.locator(f"{nb} .jp-RenderedImage img").count()


#: draws each string on a canvas in the font of ``selector``'s element; true when CJK characters come out as
#: distinct glyphs, unlike two unassigned code points (which every font draws as the same "tofu" box)
GLYPHS_RENDER = """([selector, a, b]) => {
    const el = document.querySelector(selector);
    const font = getComputedStyle(el).fontSize + ' ' + getComputedStyle(el).fontFamily;
    const draw = (s) => {
        const c = document.createElement('canvas'); c.width = 64; c.height = 64;
        const g = c.getContext('2d'); g.font = font.replace(/^[^ ]+/, '40px'); g.fillText(s, 4, 48);
        return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
    };
    const tofu1 = draw('\\u0378'), tofu2 = draw('\\u0379');
    return {font, same_tofu: tofu1 === tofu2, a_is_tofu: draw(a) === tofu1, b_is_tofu: draw(b) === tofu1,
            a_vs_b: draw(a) !== draw(b)};
}"""


def _glyphs_render(page, selector: str, text: str):
    """The first two CJK characters of ``text`` render as two different real glyphs in ``selector``'s font."""
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff"][:2]
    r = page.evaluate(GLYPHS_RENDER, [selector, *chars])
    assert r["same_tofu"], r  # the reference: unassigned code points all draw the same box
    assert not r["a_is_tofu"] and not r["b_is_tofu"] and r["a_vs_b"], (chars, r)


def _no_markdown_left(page, nb):
    """No "**" on screen in rendered Markdown or outputs (CommonMark leaves `**不对。**先` unrendered)."""
    texts = page.locator(f"{nb} .jp-RenderedMarkdown, {nb} .jp-RenderedHTMLCommon").all_inner_texts()
    assert not [t for t in texts if "**" in t], [t for t in texts if "**" in t][:3]


def test_lessons_run_in_the_browser(lab, browser, tmp_path):
    base, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # what `make lab` opens: the trainees' 课程目录 (no answers), rendered, in the Chinese interface, no news pop-up
    page.goto(f"{base}/lab/tree/notebooks/course/README.md?reset&token={token}")
    page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('文件')", timeout=60_000)
    page.wait_for_selector(".jp-RenderedMarkdown h1:has-text('课程目录')", timeout=60_000)
    page.wait_for_timeout(2000)  # JupyterLab asks about news a moment after start when not configured
    page.screenshot(path=str(tmp_path / "start.png"))
    assert page.locator(".jp-Notification-Toast, .Toastify__toast").count() == 0
    start = page.locator(".jp-RenderedMarkdown").first.inner_text()
    assert "讲评要点" not in start and "327.36" not in start  # no answer key (01-2 is 327.36 万元)
    # Chinese glyphs render in the interface (menu) and in the page (heading): not boxes
    _glyphs_render(page, ".lm-MenuBar-itemLabel", "文件")
    _glyphs_render(page, ".jp-RenderedMarkdown h1", "课程目录")
    nb, charts = _open_and_run(page, base, token, "01_four_steps.ipynb", tmp_path)
    assert charts == 3  # the waterfall, and the panel's waterfall and tornado
    # the menus the lessons name exist under those names (with a notebook in front)
    for menu, item in (("运行", "运行所有单元格"), ("内核", "重启内核 和 运行所有单元格…"), ("文件", "恢复 Notebook 到检查点…"), ("文件", "下载")):
        page.locator(f".lm-MenuBar-itemLabel:text-is('{menu}')").click()
        page.wait_for_selector(".lm-Menu-itemLabel", timeout=10_000)
        labels = [t.strip() for t in page.locator(".lm-Menu-itemLabel").all_inner_texts()]
        page.keyboard.press("Escape")
        assert item in labels, (menu, " | ".join(labels))

    _no_markdown_left(page, nb)
    _glyphs_render(page, f"{nb} .costing-table th", "指标")

    subsidy = page.locator(f"{nb} .costing-whatif-headline .costing-subsidy")
    subsidy.scroll_into_view_if_needed()
    before = subsidy.inner_text()
    assert re.fullmatch(r"[\d,]+\.\d\d", before), before
    note = page.locator(f"{nb} .costing-restart-note")
    assert not note.is_visible()  # the kernel is alive: no restart message
    handle = page.locator(f"{nb} .costing-knob-driver_per_vehicle .noUi-handle")
    handle.focus()
    for _ in range(2):
        page.keyboard.press("ArrowLeft")  # 人车比 1.30 → 1.20
    page.wait_for_function("([nb, b]) => document.querySelector(nb + ' .costing-whatif-headline .costing-subsidy')"
                           ".textContent !== b", arg=[nb, before], timeout=30_000)
    after = subsidy.inner_text()
    page.screenshot(path=str(tmp_path / "panel.png"), full_page=False)
    assert float(after.replace(",", "")) < float(before.replace(",", ""))  # fewer drivers, smaller subsidy

    # a kernel restart: the slider still moves in the page, and the panel says what to do
    page.evaluate(f"() => {CURRENT}.sessionContext.session.kernel.restart()")
    note.wait_for(state="visible", timeout=30_000)
    handle.focus()
    page.keyboard.press("ArrowLeft")
    assert "内核已重启" in note.inner_text() and "运行所有单元格" in note.inner_text()
    note.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "panel_after_restart.png"), full_page=False)

    nb, charts = _open_and_run(page, base, token, "04_cost_benefit.ipynb", tmp_path)
    assert charts == 2  # tornado and CDF
    _no_markdown_left(page, nb)
    cash = page.locator(f"{nb} .costing-course-table[data-title='现金流量表（万元）'] table")
    assert "-0.00" not in cash.inner_text()
    box = cash.bounding_box()
    area = page.locator(f"{nb} .jp-OutputArea-output").first.bounding_box()
    assert box["x"] + box["width"] <= area["x"] + area["width"] + 1  # not cut at the right

    nb, charts = _open_and_run(page, base, token, "06_monitoring.ipynb", tmp_path)
    assert charts == 2  # execution against time progress, and the deviating indicators
    _no_markdown_left(page, nb)
    page.close()
