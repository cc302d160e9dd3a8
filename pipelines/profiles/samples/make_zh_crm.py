"""Writes the Chinese-header sample export (zh_crm/): GBK-encoded CSV files as a
domestic CRM exports them, and the same data as one workbook (crm_export.xlsx,
real date and number cells). Run from this folder: python3 make_zh_crm.py
(needs openpyxl). The files are committed; this script records how they were made."""
import csv
import datetime as dt
import io

import openpyxl

TABLES = {
    "员工": (["工号", "姓名", "大区", "团队", "职位", "入职日期"], [
        ["E01", "张伟", "华东", "上海一组", "销售代表", "2024/03/01"],
        ["E02", "李娜", "华东", "上海一组", "销售代表", "2025/07/15"],
        ["E03", "王强", "华南", "广州组", "销售经理", "2023/01/09"],
        ["E04", "刘洋", "华南", "广州组", "销售代表", "2026/09/01"],
    ]),
    "客户": (["客户编号", "客户名称", "所属区域", "负责销售", "建档日期"], [
        ["C001", "上海明华贸易有限公司", "华东", "张伟", "2025/01/10"],
        ["C002", "杭州远景科技", "华东", "李娜", "2025/08/20"],
        ["C003", "广州南方电器", "华南", "王强", "2024/05/05"],
        ["C004", "深圳海通物流", "华南", "刘洋", "2026/10/08"],
        ["C005", "苏州工业园区百货", "华东", "张伟", "2026/10/12"],
    ]),
    "产品": (["产品编码", "产品名称", "类别", "标准单价", "成本价"], [
        ["P01", "智能电表", "电表", "1,200.00", "800.00"],
        ["P02", "数据采集器", "采集", "3,500.00", "2,100.00"],
        ["P03", "安装服务", "服务", "500.00", "200.00"],
    ]),
    "订单明细": (["订单号", "行号", "下单日期", "销售员", "客户编号", "产品编码", "数量", "成交单价", "状态"], [
        ["SO2610001", "1", "2026/10/09", "张伟", "C001", "P01", "10", "1,150.00", "已完成"],
        ["SO2610001", "2", "2026/10/09", "张伟", "C001", "P03", "10", "500.00", "已完成"],
        ["SO2610002", "1", "2026/10/15", "李娜", "C002", "P02", "2", "3,500.00", "已完成"],
        ["SO2610003", "1", "2026/10/20", "王强", "C003", "P01", "5", "1,200.00", "已取消"],
        ["SO2610004", "1", "2026/10/21", "刘洋", "C004", "P02", "3", "3,300.00", "已完成"],
        ["SO2610005", "1", "2026/10/28", "张伟", "C005", "P01", "-2", "1,150.00", "退货"],
    ]),
    "发票": (["发票号码", "客户编号", "开票日期", "到期日期", "价税合计", "订单号", "销售员"], [
        ["FP0001", "C001", "2026/10/10", "2026/11/09", "16,500.00", "SO2610001", "张伟"],
        ["FP0002", "C002", "2026/10/16", "2026/10/30", "7,000.00", "SO2610002", "李娜"],
        ["FP0003", "C004", "2026/10/22", "2026/11/21", "9,900.00", "SO2610004", "刘洋"],
        ["FP0004", "C003", "2026/09/05", "2026/10/05", "4,000.00", "", "王强"],
    ]),
    "回款": (["回款单号", "发票号码", "回款日期", "回款金额"], [
        ["HK001", "FP0001", "2026/10/25", "10,000.00"],
        ["HK002", "FP0002", "2026/10/29", "7,000.00"],
        ["HK003", "FP0004", "2026/10/12", "4,000.00"],
    ]),
    "目标": (["月份", "工号", "销售目标", "回款目标"], [
        ["2026-10", "E01", "20,000.00", "15,000.00"],
        ["2026-10", "E02", "10,000.00", "8,000.00"],
        ["2026-10", "E03", "5,000.00", "5,000.00"],
        ["2026-10", "E04", "8,000.00", "无"],
    ]),
}
# A title line above the header, as many domestic exports write it.
TITLES = {"回款": "2026年10月回款明细（导出）"}


def write_gbk_csv(name, header, rows):
    buf = io.StringIO()
    if name in TITLES:
        buf.write(TITLES[name] + "\r\n")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    with open(f"zh_crm/{name}.csv", "wb") as f:
        f.write(buf.getvalue().encode("gbk"))


def cell(value):
    """Dates and numbers become real Excel cells, like a CRM's xlsx export."""
    for fmt in ("%Y/%m/%d",):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            pass
    try:
        number = float(value.replace(",", ""))
        return int(number) if number.is_integer() else number
    except ValueError:
        return value or None


def write_xlsx():
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (header, rows) in TABLES.items():
        ws = wb.create_sheet(name)
        if name in TITLES:
            ws.append([TITLES[name]])
        ws.append(header)
        for row in rows:
            ws.append([cell(v) for v in row])
            for c in ws[ws.max_row]:
                if isinstance(c.value, dt.datetime):
                    c.number_format = "yyyy/mm/dd"
    wb.properties.created = dt.datetime(2026, 11, 1)
    wb.properties.modified = dt.datetime(2026, 11, 1)
    wb.save("zh_crm/crm_export.xlsx")


for name, (header, rows) in TABLES.items():
    write_gbk_csv(name, header, rows)
write_xlsx()
