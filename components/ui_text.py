"""Chinese for the texts Streamlit's own widgets (and Plotly's toolbar) write in English.

Streamlit has no locale setting: "Select all" and "No results" in a multiselect, "Press Enter to apply"
under a text input, "Press Enter to submit form", the uploader's "Upload" and "200MB per file", the
table toolbar's tooltips and the "Page not found" notice all come from its frontend. A small script,
injected once per page load from app.py, replaces these strings where the browser shows them (text,
placeholders and tooltips), and keeps doing so as widgets appear (a MutationObserver).
"""

from __future__ import annotations

import json

import streamlit as st

# Exact texts (after trimming) → Chinese. Only strings the user can see: text, placeholder, tooltip.
EXACT: dict[str, str] = {
    # multiselect / selectbox
    "Select all": "全选",
    "No results": "无匹配项",
    "No options to select.": "没有可选项",
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "Clear all": "全部清除",
    "Clear value": "清除",
    # forms and inputs
    "Press Enter to submit form": "按回车键提交",
    "Press Enter to apply": "按回车键确认",
    "Press ⌘+Enter to apply": "按 ⌘+回车 确认",
    "Press Ctrl+Enter to apply": "按 Ctrl+回车 确认",
    # file uploader
    "Upload": "选择文件",
    "Browse files": "选择文件",
    "Drag and drop file here": "拖放文件到此处",
    "Drag and drop files here": "拖放文件到此处",
    "Remove file": "移除文件",
    "Delete": "删除",
    # st.dataframe toolbar and cell tooltips
    "Download as CSV": "下载为 CSV",
    "Search": "搜索",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Exit fullscreen": "退出全屏",
    "Show/hide columns": "显示／隐藏列",
    "Copy to clipboard": "复制",
    "Copied to clipboard": "已复制",
    "Toggle fullscreen": "切换全屏",
    "Clear selection": "清除选择",
    # st.dataframe column menu (sorting, pinning, number format)
    "Sort ascending": "升序排列",
    "Sort descending": "降序排列",
    "Pin column": "固定列",
    "Unpin column": "取消固定",
    "Hide column": "隐藏列",
    "Autosize": "自动列宽",
    "Format": "数字格式",
    "Automatic": "自动",
    "Localized": "本地格式",
    "Plain": "原样",
    "Compact": "紧凑",
    "Percent": "百分比",
    "Scientific": "科学计数",
    "Accounting": "会计格式",
    "Empty": "空",
    "empty": "空",
    # app chrome and notices
    "Skip to main content": "跳到正文",
    "Page not found": "页面不存在",
    "Running...": "正在运行…",
    "Stop": "停止",
    "Rerun": "重新运行",
    "Settings": "设置",
    "Print": "打印",
    "Clear cache": "清除缓存",
    "About": "关于",
    "Get help": "帮助",
    "Report a bug": "报告问题",
    "Auto rerun": "自动重新运行",
    "System": "跟随系统",
    "Light": "浅色",
    "Dark": "深色",
    "Cancel": "取消",
    "OK": "确定",
    "Connecting": "正在连接",
    "Connection error": "连接中断",
    "Please wait...": "请稍候…",
    "Close": "关闭",
    "View less": "收起",  # the sidebar's page list
    # Plotly's toolbar tooltips
    "Download plot as a PNG": "下载为 PNG",
    "Download plot as a png": "下载为 PNG",
    "Download plot": "下载图片",
    "Zoom": "缩放",
    "Pan": "平移",
    "Zoom in": "放大",
    "Zoom out": "缩小",
    "Autoscale": "自动缩放",
    "Reset axes": "重置坐标轴",
    "Reset view": "重置视图",
    "Toggle Spike Lines": "显示／隐藏辅助线",
    "Show closest data on hover": "悬停显示最近的数据",
    "Compare data on hover": "悬停比较数据",
}

# Texts with a variable part: [JavaScript regex source, replacement with $1 …].
PATTERNS: list[tuple[str, str]] = [
    (r"^(?:Limit )?(\d+(?:\.\d+)?)\s?([KMG]B) per file(.*)$", "单个文件不超过 $1 $2$3"),
    (
        r"^You have requested page /(.*), "
        r"but no corresponding file was found in the app's pages/ directory\. "
        r"Running the app's main page\.$",
        "没有地址为 /$1 的页面，已为您打开总览。",
    ),
    (
        r"^The page that you have requested does not seem to exist\. Running the app's main page\.$",
        "您访问的页面不存在，已为您打开总览。",
    ),
    (r"^(\d+) files? selected$", "已选择 $1 个文件"),
    (r"^View (\d+) more$", "显示其余 $1 页"),  # the sidebar's page list, beyond ten pages
    (r"^Help for (.+)$", "“$1”的说明"),  # the tooltip icon of a widget with help
    (r"^Showing page (\d+) of (\d+)$", "第 $1 页，共 $2 页"),
]

_SCRIPT = """
<script>
(() => {
  const w = window.parent && window.parent.document ? window.parent : window;
  if (w.__nianbaoUiText) return;
  w.__nianbaoUiText = true;
  const EXACT = __EXACT__;
  const PATTERNS = __PATTERNS__.map(([src, rep]) => [new RegExp(src), rep]);
  const ATTRS = ["placeholder", "title", "aria-label", "data-title"];
  const SVG_NS = "http://www.w3.org/2000/svg";
  const translate = (text) => {
    if (!text) return null;
    const t = text.trim();
    if (!t || !/[A-Za-z]/.test(t)) return null;
    if (Object.prototype.hasOwnProperty.call(EXACT, t)) return text.replace(t, EXACT[t]);
    for (const [re, rep] of PATTERNS) if (re.test(t)) return text.replace(t, t.replace(re, rep));
    return null;
  };
  const fixText = (node) => {
    const out = translate(node.nodeValue);
    if (out !== null && out !== node.nodeValue) node.nodeValue = out;
  };
  const fixAttrs = (el) => {
    for (const a of ATTRS) {
      const v = el.getAttribute && el.getAttribute(a);
      const out = translate(v);
      if (out !== null && out !== v) el.setAttribute(a, out);
    }
  };
  const walk = (root) => {
    if (root.nodeType === 3) { fixText(root); return; }
    if (root.nodeType !== 1) return;
    // Report text shown as code is data, never translated.
    if (root.closest && root.closest("pre, code, textarea")) return;
    // Chart drawings (SVG) hold our own Chinese labels and thousands of nodes: not walked.
    if (root.namespaceURI === SVG_NS) return;
    fixAttrs(root);
    const skipSvg = {
      acceptNode: (n) => (n.namespaceURI === SVG_NS ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT)
    };
    const tw = w.document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, skipSvg);
    for (let n = tw.nextNode(); n; n = tw.nextNode()) {
      if (n.nodeType === 3) {
        if (!n.parentElement || !n.parentElement.closest("pre, code, textarea")) fixText(n);
      } else fixAttrs(n);
    }
  };
  const doc = w.document;
  walk(doc.body);
  new w.MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "characterData") fixText(r.target);
      else if (r.type === "attributes") fixAttrs(r.target);
      else r.addedNodes.forEach(walk);
    }
  }).observe(doc.body, {subtree: true, childList: true, characterData: true, attributes: true,
                         attributeFilter: ATTRS});
})();
</script>
"""


def ui_text_script() -> str:
    """The <script> that translates Streamlit's and Plotly's built-in English texts in the page."""
    return _SCRIPT.replace("__EXACT__", json.dumps(EXACT, ensure_ascii=False)).replace(
        "__PATTERNS__", json.dumps(PATTERNS, ensure_ascii=False)
    )


def install_ui_text() -> None:
    """Inject the translation script (idempotent in the browser: it installs itself once per page load)."""
    with st.sidebar:
        st.html(ui_text_script(), unsafe_allow_javascript=True, width="content")
