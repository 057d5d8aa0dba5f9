#!/usr/bin/env python3
"""Generate Bantin's benchmark dataset as a psql script (COPY blocks) on stdout.

    python3 bench/dataset.py --articles 100000 --admin-email admin@bench.local \
        | psql -v ON_ERROR_STOP=1 -1 -q -d bantin_bench

What it writes (stdlib only, reproducible with --seed):

* about 30 categories in a 2-3 level tree with Vietnamese names, unique slugs and the
  breadcrumb `path` ([{id, slug, name}] from the root down to the category itself);
* 8 reporter/editor accounts (they share the admin's password hash; nobody logs in as them);
* N published articles: titles built from templates of provincial People's Council news
  (bodies, places of Lai Chau province, topics), slugs derived from the titles (ASCII,
  diacritics stripped, a number appended only on a clash), summaries of 1-2 sentences,
  HTML bodies of 3-5 KB in <p> paragraphs, `body_text` the same text without tags,
  `published_at` spread over the past five years.

Each article has one topic, one category and one place; its body mixes generic sentences
(drawn with Zipf-like weights from a large pool) with sentences of its topic, category and
place, so a two-word query matches a realistic fraction of the articles (see queries.txt).
"""

import argparse
import bisect
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import time
import unicodedata
import uuid

# ---------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------

# District -> communes (Lai Chau province). Districts are weighted (bigger ones more news).
PLACES = [
    ("thành phố Lai Châu", "thành phố", ["phường Tân Phong", "phường Đông Phong", "phường Quyết Thắng",
                                       "phường Quyết Tiến", "phường Đoàn Kết", "xã San Thàng", "xã Sùng Phài"], 16),
    ("Tam Đường", "huyện", ["xã Bản Giang", "xã Bản Hon", "xã Nùng Nàng", "xã Thèn Sin", "xã Sơn Bình",
                           "xã Khun Há", "xã Hồ Thầu", "xã Giang Ma", "xã Tả Lèng", "xã Bình Lư"], 12),
    ("Phong Thổ", "huyện", ["xã Dào San", "xã Mường So", "xã Khổng Lào", "xã Sin Suối Hồ", "xã Mồ Sì San",
                           "xã Vàng Ma Chải", "xã Pa Vây Sử", "xã Ma Li Pho", "xã Hoang Thèn", "xã Bản Lang"], 11),
    ("Sìn Hồ", "huyện", ["xã Pa Tần", "xã Nậm Tăm", "xã Noong Hẻo", "xã Phăng Sô Lin", "xã Chăn Nưa",
                        "xã Tả Phìn", "xã Làng Mô", "xã Căn Co", "xã Xà Dề Phìn", "xã Nậm Cha"], 10),
    ("Mường Tè", "huyện", ["xã Pa Ủ", "xã Ka Lăng", "xã Thu Lũm", "xã Mù Cả", "xã Bum Tở", "xã Bum Nưa",
                          "xã Mường Tè", "xã Tà Tổng", "xã Vàng San", "xã Kan Hồ"], 9),
    ("Than Uyên", "huyện", ["xã Mường Kim", "xã Phúc Than", "xã Mường Than", "xã Khoen On", "xã Ta Gia",
                           "xã Pha Mu", "xã Hua Nà", "xã Mường Cang", "xã Tà Hừa", "xã Tà Mung"], 9),
    ("Tân Uyên", "huyện", ["xã Pắc Ta", "xã Mường Khoa", "xã Trung Đồng", "xã Nậm Cần", "xã Phúc Khoa",
                          "xã Thân Thuộc", "xã Hố Mít", "xã Nậm Sỏ", "xã Tà Mít"], 8),
    ("Nậm Nhùn", "huyện", ["xã Lê Lợi", "xã Nậm Manh", "xã Hua Bum", "xã Mường Mô", "xã Nậm Hàng",
                          "xã Nậm Pì", "xã Pú Đao", "xã Nậm Chà", "xã Trung Chải", "xã Nậm Ban"], 7),
]

DEPTS = ["Tài chính", "Kế hoạch và Đầu tư", "Nông nghiệp và Phát triển nông thôn", "Giáo dục và Đào tạo",
         "Y tế", "Giao thông vận tải", "Xây dựng", "Tài nguyên và Môi trường", "Lao động - Thương binh và Xã hội",
         "Văn hóa, Thể thao và Du lịch", "Công Thương", "Nội vụ", "Tư pháp", "Thông tin và Truyền thông",
         "Khoa học và Công nghệ"]
BANS = ["Kinh tế - Ngân sách", "Văn hóa - Xã hội", "Pháp chế", "Dân tộc"]
REPORTERS = ["Ngọc Anh", "Thu Hằng", "Minh Đức", "Thanh Tâm", "Hoàng Nam", "Lò Văn Thương",
             "Vàng Thị Mai", "Quốc Huy", "Bích Ngọc", "Tòng Văn Hải", "Phương Thảo", "Đức Anh"]

# Topics: (phrase used in titles, words of its own sentences).
TOPICS = [
    ("thu, chi ngân sách nhà nước", ["thu ngân sách", "dự toán ngân sách", "chi thường xuyên",
                                                       "nguồn vượt thu", "tiết kiệm chi", "phân bổ ngân sách"]),
    ("tiến độ giải ngân vốn đầu tư công", ["vốn đầu tư công", "tỷ lệ giải ngân", "các dự án chậm tiến độ",
                                          "kế hoạch vốn", "nhà thầu thi công", "công trình trọng điểm"]),
    ("công tác giải phóng mặt bằng", ["giải phóng mặt bằng", "bồi thường, hỗ trợ", "tái định cư",
                                      "phương án bồi thường", "bàn giao mặt bằng", "đất ở tái định cư"]),
    ("chương trình mục tiêu quốc gia xây dựng nông thôn mới", ["nông thôn mới", "bộ tiêu chí", "xã đạt chuẩn",
                                                               "đường giao thông nông thôn", "nhà văn hóa thôn bản",
                                                               "tiêu chí thu nhập"]),
    ("chương trình giảm nghèo bền vững", ["giảm nghèo", "hộ nghèo", "hộ cận nghèo", "sinh kế bền vững",
                                          "thoát nghèo", "tỷ lệ hộ nghèo"]),
    ("phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số", ["đồng bào dân tộc thiểu số", "vùng đặc biệt khó khăn",
                                                                    "chính sách dân tộc", "người có uy tín",
                                                                    "bản đặc biệt khó khăn", "đồng bào các dân tộc"]),
    ("công tác quản lý đất đai", ["quản lý đất đai", "giấy chứng nhận quyền sử dụng đất", "lấn chiếm đất",
                                  "quy hoạch sử dụng đất", "đo đạc địa chính", "tranh chấp đất đai"]),
    ("công tác bảo vệ và phát triển rừng", ["bảo vệ rừng", "trồng rừng", "chi trả dịch vụ môi trường rừng",
                                            "độ che phủ rừng", "cháy rừng", "giao khoán bảo vệ rừng"]),
    ("phát triển cây mắc ca", ["cây mắc ca", "diện tích mắc ca", "doanh nghiệp liên kết", "cây giống",
                               "bao tiêu sản phẩm", "vùng trồng mắc ca"]),
    ("phát triển vùng chè tập trung", ["cây chè", "chè chất lượng cao", "búp chè tươi", "nhà máy chế biến chè",
                                       "vùng chè tập trung", "thương hiệu chè"]),
    ("phát triển du lịch cộng đồng", ["du lịch cộng đồng", "khách du lịch", "homestay", "sản phẩm du lịch",
                                      "bản văn hóa du lịch", "lễ hội truyền thống"]),
    ("công tác phòng, chống thiên tai", ["thiên tai", "sạt lở đất", "lũ quét", "mưa lớn", "khắc phục hậu quả",
                                         "di dời dân cư"]),
    ("chất lượng giáo dục vùng cao", ["chất lượng giáo dục", "học sinh bán trú", "giáo viên", "trường học",
                                      "phòng học", "tỷ lệ huy động trẻ đến trường"]),
    ("công tác khám chữa bệnh bảo hiểm y tế", ["khám chữa bệnh", "bảo hiểm y tế", "trạm y tế xã", "y bác sĩ",
                                               "trang thiết bị y tế", "thuốc chữa bệnh"]),
    ("công tác tiêm chủng mở rộng", ["tiêm chủng", "vắc xin", "tiêm chủng mở rộng", "trẻ em dưới 1 tuổi",
                                     "cán bộ y tế thôn bản", "phòng chống dịch"]),
    ("công tác cải cách hành chính", ["cải cách hành chính", "thủ tục hành chính", "bộ phận một cửa",
                                      "dịch vụ công trực tuyến", "hồ sơ trễ hạn", "sự hài lòng của người dân"]),
    ("chuyển đổi số", ["chuyển đổi số", "chính quyền số", "hạ tầng số", "thanh toán không dùng tiền mặt",
                       "tổ công nghệ số cộng đồng", "cơ sở dữ liệu"]),
    ("công tác tiếp công dân, giải quyết đơn thư", ["tiếp công dân", "đơn thư khiếu nại", "khiếu nại, tố cáo",
                                                    "giải quyết dứt điểm", "vụ việc tồn đọng", "đối thoại với công dân"]),
    ("sắp xếp đơn vị hành chính cấp xã", ["sắp xếp đơn vị hành chính", "sáp nhập", "trụ sở làm việc",
                                          "cán bộ dôi dư", "đơn vị hành chính mới", "chính quyền hai cấp"]),
    ("chính sách hỗ trợ nhà ở cho hộ nghèo", ["nhà ở", "xóa nhà tạm", "nhà dột nát", "hỗ trợ làm nhà",
                                              "hộ gia đình chính sách", "ngày công lao động"]),
    ("công tác phòng, chống ma túy", ["ma túy", "cai nghiện", "người nghiện", "tệ nạn xã hội",
                                      "phòng, chống ma túy", "địa bàn trọng điểm"]),
    ("an ninh trật tự khu vực biên giới", ["biên giới", "cột mốc", "đồn biên phòng", "an ninh trật tự",
                                           "xuất nhập cảnh trái phép", "cửa khẩu"]),
    ("công tác đào tạo nghề, giải quyết việc làm", ["đào tạo nghề", "giải quyết việc làm", "lao động nông thôn",
                                                    "xuất khẩu lao động", "khu công nghiệp", "thu nhập ổn định"]),
    ("bảo tồn văn hóa truyền thống các dân tộc", ["bản sắc văn hóa", "văn hóa truyền thống", "nghệ nhân",
                                                  "trang phục truyền thống", "di tích lịch sử", "đội văn nghệ"]),
    ("nước sạch nông thôn", ["nước sạch", "công trình cấp nước", "nước sinh hoạt", "nguồn nước",
                             "công trình hư hỏng", "tỷ lệ người dân dùng nước"]),
    ("an toàn thực phẩm", ["an toàn thực phẩm", "ngộ độc thực phẩm", "cơ sở kinh doanh", "nguồn gốc xuất xứ",
                           "kiểm tra liên ngành", "bếp ăn tập thể"]),
    ("phát triển thủy điện", ["thủy điện", "nhà máy thủy điện", "lòng hồ", "vận hành hồ chứa",
                              "tái định cư thủy điện", "dòng chảy"]),
    ("chăn nuôi đại gia súc", ["chăn nuôi", "đại gia súc", "dịch tả lợn châu Phi", "tiêm phòng vắc xin",
                               "đồng cỏ", "chuồng trại"]),
    ("thu hút đầu tư, phát triển doanh nghiệp", ["thu hút đầu tư", "nhà đầu tư", "môi trường kinh doanh",
                                                 "doanh nghiệp thành lập mới", "năng lực cạnh tranh", "xúc tiến đầu tư"]),
    ("phát triển hợp tác xã", ["hợp tác xã", "kinh tế tập thể", "liên kết sản xuất", "sản phẩm OCOP",
                               "chuỗi giá trị", "tiêu thụ sản phẩm"]),
    ("công tác cán bộ", ["công tác cán bộ", "bổ nhiệm cán bộ", "luân chuyển", "biên chế",
                         "tinh giản biên chế", "đội ngũ cán bộ"]),
    ("phòng, chống tham nhũng, lãng phí", ["tham nhũng", "lãng phí", "thực hành tiết kiệm", "kê khai tài sản",
                                           "thanh tra", "kết luận thanh tra"]),
    ("giao thông nông thôn và kiên cố hóa kênh mương", ["kênh mương", "kiên cố hóa", "tưới tiêu", "đường nội đồng",
                                                        "xi măng hỗ trợ", "nhân dân hiến đất"]),
    ("bảo hiểm xã hội tự nguyện", ["bảo hiểm xã hội", "bảo hiểm thất nghiệp", "người tham gia",
                                   "nợ đóng bảo hiểm", "lương hưu", "chế độ chính sách"]),
]

# More ways titles name each topic (keyed by the topic's first phrase above).
TOPIC_TITLES = {
    "thu, chi ngân sách nhà nước": ["dự toán ngân sách nhà nước năm {year}", "công tác quản lý, điều hành ngân sách"],
    "tiến độ giải ngân vốn đầu tư công": ["kế hoạch đầu tư công trung hạn", "các dự án đầu tư công chậm tiến độ"],
    "công tác giải phóng mặt bằng": ["bồi thường, giải phóng mặt bằng các dự án", "giải phóng mặt bằng dự án đường nối"],
    "chương trình mục tiêu quốc gia xây dựng nông thôn mới": ["xây dựng nông thôn mới nâng cao", "kết quả xây dựng nông thôn mới năm {year}"],
    "chương trình giảm nghèo bền vững": ["công tác giảm nghèo năm {year}", "chính sách hỗ trợ hộ nghèo, hộ cận nghèo"],
    "phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số": ["chính sách dân tộc", "chương trình phát triển vùng đồng bào dân tộc thiểu số và miền núi"],
    "công tác quản lý đất đai": ["cấp giấy chứng nhận quyền sử dụng đất", "quản lý, sử dụng đất đai tại các nông, lâm trường"],
    "công tác bảo vệ và phát triển rừng": ["chi trả dịch vụ môi trường rừng", "giao đất, giao rừng cho cộng đồng"],
    "phát triển cây mắc ca": ["mô hình trồng mắc ca", "liên kết trồng mắc ca với doanh nghiệp"],
    "phát triển vùng chè tập trung": ["sản xuất chè chất lượng cao", "mở rộng diện tích chè"],
    "phát triển du lịch cộng đồng": ["xây dựng bản du lịch cộng đồng", "thu hút khách du lịch"],
    "công tác phòng, chống thiên tai": ["khắc phục hậu quả mưa lũ", "phòng, chống sạt lở đất mùa mưa năm {year}"],
    "chất lượng giáo dục vùng cao": ["công tác giáo dục và đào tạo", "cơ sở vật chất trường học vùng cao"],
    "công tác khám chữa bệnh bảo hiểm y tế": ["chất lượng khám chữa bệnh tại tuyến xã", "thực hiện chính sách bảo hiểm y tế"],
    "công tác tiêm chủng mở rộng": ["tiêm chủng cho trẻ em vùng cao", "phòng, chống dịch bệnh"],
    "công tác cải cách hành chính": ["cải cách thủ tục hành chính", "hoạt động của bộ phận một cửa"],
    "chuyển đổi số": ["chuyển đổi số cấp xã", "xây dựng chính quyền số"],
    "công tác tiếp công dân, giải quyết đơn thư": ["giải quyết khiếu nại, tố cáo", "tiếp công dân và xử lý đơn thư"],
    "sắp xếp đơn vị hành chính cấp xã": ["sắp xếp thôn, bản", "bố trí cán bộ sau sắp xếp đơn vị hành chính"],
    "chính sách hỗ trợ nhà ở cho hộ nghèo": ["xóa nhà tạm, nhà dột nát", "hỗ trợ làm nhà cho hộ nghèo"],
    "công tác phòng, chống ma túy": ["cai nghiện ma túy", "phòng, chống tệ nạn xã hội"],
    "an ninh trật tự khu vực biên giới": ["quản lý, bảo vệ biên giới", "bảo đảm an ninh trật tự vùng biên"],
    "công tác đào tạo nghề, giải quyết việc làm": ["giải quyết việc làm cho lao động nông thôn", "đào tạo nghề cho lao động"],
    "bảo tồn văn hóa truyền thống các dân tộc": ["bảo tồn bản sắc văn hóa dân tộc", "xây dựng đời sống văn hóa cơ sở"],
    "nước sạch nông thôn": ["cung cấp nước sinh hoạt cho người dân", "quản lý công trình cấp nước nông thôn"],
    "an toàn thực phẩm": ["bảo đảm an toàn thực phẩm", "quản lý an toàn thực phẩm dịp Tết"],
    "phát triển thủy điện": ["quản lý các dự án thủy điện", "vận hành các hồ chứa thủy điện"],
    "chăn nuôi đại gia súc": ["phát triển chăn nuôi", "phòng, chống dịch bệnh gia súc"],
    "thu hút đầu tư, phát triển doanh nghiệp": ["cải thiện môi trường đầu tư", "hỗ trợ doanh nghiệp nhỏ và vừa"],
    "phát triển hợp tác xã": ["nâng cao hiệu quả kinh tế tập thể", "phát triển sản phẩm OCOP"],
    "công tác cán bộ": ["xây dựng đội ngũ cán bộ cơ sở", "thực hiện tinh giản biên chế"],
    "phòng, chống tham nhũng, lãng phí": ["thực hành tiết kiệm, chống lãng phí", "kê khai tài sản, thu nhập"],
    "giao thông nông thôn và kiên cố hóa kênh mương": ["kiên cố hóa kênh mương nội đồng", "làm đường giao thông nông thôn"],
    "bảo hiểm xã hội tự nguyện": ["phát triển người tham gia bảo hiểm xã hội", "chính sách bảo hiểm xã hội, bảo hiểm thất nghiệp"],
}

# Category tree: (slug, name, description, parent slug, weight of articles, title templates).
# Template fields: {topic} {place} (the district, with its kind) {where} (the district or
# "commune, district") {commune} {ban} {dept} {n}
# {k} {month} {year} {quarter} {num} {verb_inspect} {verb_work} {verb_push} {body}; Place,
# Commune, Where capitalised. A template starting with "~" is drawn five times less often.
CATEGORIES = [
    ("tin-tuc-hoat-dong", "Tin tức hoạt động", "Tin hoạt động của HĐND tỉnh và các địa phương", None, 0, []),
    ("hoi-dong-nhan-dan-tinh", "Hội đồng nhân dân tỉnh", "Hoạt động của HĐND tỉnh", "tin-tuc-hoat-dong", 2, [
        "HĐND tỉnh {verb_work} với {body} về {topic}",
        "Lãnh đạo HĐND tỉnh {verb_inspect} {topic} tại {where}",
        "~HĐND tỉnh tổ chức hội nghị chuyên đề về {topic}",
    ]),
    ("ky-hop-hdnd", "Kỳ họp HĐND", "Tin các kỳ họp HĐND tỉnh", "hoi-dong-nhan-dan-tinh", 4, [
        "~Khai mạc Kỳ họp thứ {n} HĐND tỉnh khóa {k}",
        "~Bế mạc Kỳ họp thứ {n} HĐND tỉnh khóa {k}, thông qua {nq} nghị quyết",
        "Kỳ họp thứ {n} HĐND tỉnh khóa {k}: thảo luận về {topic}",
        "Phiên chất vấn tại Kỳ họp thứ {n}: làm rõ trách nhiệm về {topic}",
        "Kỳ họp thứ {n}: đại biểu {where} chất vấn về {topic}",
        "HĐND tỉnh thông qua Nghị quyết về {topic} tại Kỳ họp thứ {n}",
        "Đại biểu HĐND tỉnh thảo luận tổ về {topic} tại Kỳ họp thứ {n}",
    ]),
    ("thuong-truc-hdnd", "Thường trực HĐND", "Hoạt động của Thường trực HĐND tỉnh", "hoi-dong-nhan-dan-tinh", 8, [
        "Thường trực HĐND tỉnh {verb_inspect} {topic} tại {where}",
        "Thường trực HĐND tỉnh {verb_work} với {body} về {topic}",
        "Phiên họp thường kỳ tháng {month}/{year} của Thường trực HĐND tỉnh cho ý kiến về {topic}",
        "~Thường trực HĐND tỉnh tiếp công dân định kỳ tháng {month}/{year}",
        "~Hội nghị giao ban Thường trực HĐND tỉnh với Thường trực HĐND các huyện, thành phố quý {quarter}/{year}",
        "Thường trực HĐND tỉnh cho ý kiến về {topic} tại {where}",
    ]),
    ("cac-ban-hdnd", "Các Ban HĐND", "Hoạt động của các Ban HĐND tỉnh", "hoi-dong-nhan-dan-tinh", 6, [
        "Ban {ban} HĐND tỉnh {verb_inspect} {topic} tại {where}",
        "Ban {ban} HĐND tỉnh thẩm tra dự thảo nghị quyết về {topic}",
        "Ban {ban} HĐND tỉnh {verb_work} với Sở {dept} về {topic}",
        "Ban {ban} HĐND tỉnh {verb_work} với UBND {place} về {topic}",
    ]),
    ("hoat-dong-giam-sat", "Hoạt động giám sát", "Giám sát chuyên đề và thường xuyên", "tin-tuc-hoat-dong", 12, [
        "Đoàn giám sát HĐND tỉnh làm việc tại {commune}, {place} về {topic}",
        "Giám sát {topic} trên địa bàn {where}",
        "Đoàn giám sát của HĐND tỉnh làm việc với Sở {dept} về {topic}",
        "Giám sát chuyên đề về {topic} tại {where} năm {year}",
        "Tăng cường giám sát {topic} tại {where}",
        "Đoàn giám sát {verb_inspect} {topic} tại {where}",
    ]),
    ("tiep-xuc-cu-tri", "Tiếp xúc cử tri", "Đại biểu HĐND tỉnh tiếp xúc cử tri", "tin-tuc-hoat-dong", 3, [
        "Đại biểu HĐND tỉnh tiếp xúc cử tri {commune}, {place} trước Kỳ họp thứ {n}",
        "Tổ đại biểu HĐND tỉnh tại {place} tiếp xúc cử tri {commune} về {topic}",
        "Cử tri {where} kiến nghị về {topic}",
        "Cử tri {commune} quan tâm đến {topic}",
        "Tiếp xúc cử tri sau Kỳ họp thứ {n} tại {commune}, {place}",
    ]),
    ("hdnd-cap-huyen-xa", "HĐND cấp huyện, cấp xã", "Tin hoạt động HĐND các huyện, xã", "tin-tuc-hoat-dong", 5, [
        "~HĐND {place} tổ chức Kỳ họp thứ {n}",
        "HĐND {commune} ({place}) tổ chức kỳ họp chuyên đề về {topic}",
        "Thường trực HĐND {place} {verb_inspect} {topic} tại {commune}",
        "HĐND {place} giám sát {topic} tại {commune}",
        "HĐND {commune} ({place}) {verb_inspect} {topic}",
    ]),
    ("doan-dai-bieu-quoc-hoi", "Đoàn đại biểu Quốc hội", "Hoạt động của Đoàn ĐBQH tỉnh", "tin-tuc-hoat-dong", 5, [
        "Đoàn ĐBQH tỉnh giám sát {topic} tại {where}",
        "Đại biểu Quốc hội tiếp xúc cử tri {commune}, {place}",
        "Đoàn ĐBQH tỉnh lấy ý kiến về dự án luật liên quan đến {topic}",
        "Đoàn ĐBQH tỉnh {verb_work} với {body} về {topic}",
    ]),
    ("tin-dia-phuong", "Tin địa phương", "Tin từ các huyện, thành phố", "tin-tuc-hoat-dong", 8, [
        "{Where}: {verb_push} {topic}",
        "{Commune} ({place}) {verb_push} {topic}",
        "{Place} tổng kết {topic} năm {year}",
        "{Place} {verb_inspect} {topic} tại {commune}",
        "{Where}: hiệu quả từ {topic}",
    ]),
    ("van-ban", "Văn bản", "Văn bản của HĐND tỉnh", None, 0, []),
    ("nghi-quyet-hdnd", "Nghị quyết HĐND", "Nghị quyết của HĐND tỉnh", "van-ban", 5, [
        "Nghị quyết số {num}/{year}/NQ-HĐND về {topic}",
        "Nghị quyết số {num}/{year}/NQ-HĐND quy định chính sách về {topic}",
    ]),
    ("ke-hoach", "Kế hoạch", "Kế hoạch của HĐND tỉnh và Thường trực", "van-ban", 3, [
        "Kế hoạch số {num}/KH-HĐND giám sát {topic} năm {year}",
        "~Kế hoạch tổ chức Kỳ họp thứ {n} HĐND tỉnh khóa {k}",
        "Kế hoạch số {num}/KH-HĐND khảo sát {topic} tại {where}",
    ]),
    ("thong-bao", "Thông báo", "Thông báo, kết luận", "van-ban", 3, [
        "~Thông báo kết luận phiên họp Thường trực HĐND tỉnh tháng {month}/{year}",
        "Thông báo số {num}/TB-HĐND về kết quả giám sát {topic} năm {year}",
        "Thông báo kết luận của Thường trực HĐND tỉnh về {topic} tại {where}",
    ]),
    ("bao-cao", "Báo cáo", "Báo cáo của HĐND tỉnh", "van-ban", 3, [
        "Báo cáo kết quả giám sát {topic} tại {where} năm {year}",
        "~Báo cáo tổng hợp ý kiến, kiến nghị của cử tri trước Kỳ họp thứ {n}",
    ]),
    ("chinh-sach-phap-luat", "Chính sách pháp luật", "Chính sách mới, hỏi đáp pháp luật", None, 0, []),
    ("van-ban-moi", "Văn bản mới", "Văn bản quy phạm pháp luật mới", "chinh-sach-phap-luat", 3, [
        "Chính sách mới về {topic} có hiệu lực từ tháng {month}/{year}",
        "~Quy định mới về {topic}",
        "Những điểm mới về {topic} từ tháng {month}/{year}",
    ]),
    ("hoi-dap-phap-luat", "Hỏi đáp pháp luật", "Giải đáp thắc mắc của người dân", "chinh-sach-phap-luat", 2, [
        "~Hỏi đáp về {topic}",
        "Người dân {commune} ({place}) hỏi về {topic}",
    ]),
    ("kinh-te-xa-hoi", "Kinh tế - Xã hội", "Tin kinh tế - xã hội của tỉnh", None, 0, []),
    ("nong-nghiep-nong-thon", "Nông nghiệp, nông thôn mới", "Nông nghiệp và xây dựng nông thôn mới",
     "kinh-te-xa-hoi", 4, [
        "{Where} {verb_push} {topic}",
        "~{Commune} về đích nông thôn mới năm {year}",
        "Nông dân {commune} ({place}) {verb_push} {topic}",
    ]),
    ("giao-duc", "Giáo dục", "Giáo dục và đào tạo", "kinh-te-xa-hoi", 3, [
        "Ngành giáo dục {where} {verb_push} {topic}",
        "Sở Giáo dục và Đào tạo {verb_work} với UBND {place} về {topic}",
        "{Commune} ({place}) {verb_push} {topic}",
    ]),
    ("y-te", "Y tế", "Y tế và chăm sóc sức khỏe", "kinh-te-xa-hoi", 3, [
        "Ngành y tế {where} {verb_push} {topic}",
        "Sở Y tế {verb_work} với UBND {place} về {topic}",
        "Trạm y tế {commune} ({place}) {verb_push} {topic}",
    ]),
    ("giao-thong-xay-dung", "Giao thông - Xây dựng", "Giao thông, xây dựng, đô thị", "kinh-te-xa-hoi", 3, [
        "{Where} {verb_push} {topic}",
        "Kiểm tra tiến độ các công trình về {topic} tại {commune}, {place}",
    ]),
    ("van-hoa-du-lich", "Văn hóa - Du lịch", "Văn hóa, thể thao và du lịch", "kinh-te-xa-hoi", 3, [
        "{Where} {verb_push} {topic}",
        "~Độc đáo lễ hội truyền thống tại {commune}, {place}",
        "Người dân {commune} ({place}) chung tay {topic}",
    ]),
    ("dai-bieu-voi-cu-tri", "Đại biểu với cử tri", "Diễn đàn đại biểu và cử tri", None, 0, []),
    ("y-kien-cu-tri", "Ý kiến cử tri", "Ý kiến, kiến nghị của cử tri", "dai-bieu-voi-cu-tri", 2, [
        "Cử tri {commune}, {place} kiến nghị về {topic}",
        "~Ý kiến cử tri về {topic}",
    ]),
    ("tra-loi-kien-nghi", "Trả lời kiến nghị", "Trả lời kiến nghị cử tri", "dai-bieu-voi-cu-tri", 2, [
        "Sở {dept} trả lời kiến nghị của cử tri {where} về {topic}",
        "UBND tỉnh trả lời kiến nghị cử tri {where} về {topic}",
    ]),
    ("xay-dung-dang", "Xây dựng Đảng", "Công tác xây dựng Đảng trong cơ quan dân cử", None, 0, []),
    ("dang-doan-hdnd", "Đảng đoàn HĐND", "Hoạt động của Đảng đoàn HĐND tỉnh", "xay-dung-dang", 2, [
        "Đảng đoàn HĐND tỉnh lãnh đạo triển khai nghị quyết về {topic} năm {year}",
        "Đảng đoàn HĐND tỉnh làm việc với Đảng ủy {commune} về {topic}",
    ]),
    ("chi-bo-co-quan", "Chi bộ cơ quan", "Sinh hoạt chi bộ Văn phòng", "xay-dung-dang", 1, [
        "Chi bộ Văn phòng sinh hoạt chuyên đề tháng {month}/{year} về {topic}",
        "~Chi bộ Văn phòng học tập, quán triệt nghị quyết về {topic}",
    ]),
]

VERB_INSPECT = ["khảo sát", "kiểm tra", "giám sát", "nắm tình hình", "khảo sát thực tế", "làm việc về"]
VERB_WORK = ["làm việc", "làm việc trực tiếp", "có buổi làm việc", "tổ chức buổi làm việc"]
VERB_PUSH = ["đẩy mạnh", "tập trung", "nỗ lực", "chú trọng", "nâng cao hiệu quả",
             "tháo gỡ khó khăn trong", "huy động nguồn lực cho"]
BODIES = ["UBND tỉnh", "UBND {place}", "Sở {dept}", "Ban Dân tộc tỉnh", "Ủy ban MTTQ Việt Nam tỉnh",
          "Công an tỉnh", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "Kho bạc Nhà nước tỉnh", "Cục Thuế tỉnh",
          "Ngân hàng Chính sách xã hội tỉnh", "Thanh tra tỉnh", "Tòa án nhân dân tỉnh"]

# Generic sentences: subject + verb + actor + action + object + adverbial, Zipf-weighted parts.
G_SUBJ = ["Đồng chí Chủ tịch HĐND tỉnh", "Đồng chí Phó Chủ tịch HĐND tỉnh", "Lãnh đạo UBND {place}",
          "Đại diện các sở, ngành", "Trưởng đoàn", "Các thành viên đoàn công tác", "Lãnh đạo {commune}",
          "Chính quyền địa phương", "Đại diện Ủy ban MTTQ Việt Nam tỉnh", "Giám đốc Sở {dept}",
          "Bí thư Đảng ủy {commune}", "Chủ tịch UBND {place}", "Các đại biểu",
          "Đại diện lãnh đạo Sở {dept}", "Phó Chủ tịch UBND tỉnh", "Trưởng phòng Tài chính - Kế hoạch {place}"]
G_VERB = ["đề nghị", "yêu cầu", "đề xuất", "chỉ đạo", "lưu ý", "kiến nghị", "nhấn mạnh, yêu cầu",
          "đề nghị thời gian tới", "giao"]
G_ACTOR = ["các cơ quan chuyên môn", "UBND {place}", "các sở, ngành liên quan", "chính quyền cơ sở",
           "các đơn vị", "các xã, thị trấn", "các phòng, ban chuyên môn", "cấp ủy, chính quyền các cấp",
           "đơn vị thi công", "cán bộ, công chức"]
G_ACT = ["tiếp tục", "tập trung", "quan tâm", "chủ động", "khẩn trương", "sớm", "tăng cường", "thường xuyên",
         "kịp thời", "nghiêm túc"]
G_DO = ["rà soát", "triển khai", "hoàn thiện", "khắc phục", "tháo gỡ", "kiểm tra, đôn đốc", "tuyên truyền",
        "bố trí", "giải quyết", "tổng hợp", "đánh giá", "phối hợp thực hiện", "chấn chỉnh", "theo dõi"]
G_OBJ = ["những khó khăn, vướng mắc", "các tồn tại, hạn chế", "các chỉ tiêu đã đề ra", "các nhiệm vụ trọng tâm",
         "kế hoạch năm", "hồ sơ, thủ tục", "nguồn lực", "công tác phối hợp", "công tác kiểm tra",
         "các giải pháp", "những vấn đề người dân quan tâm", "các kiến nghị của địa phương", "trách nhiệm người đứng đầu",
         "số liệu báo cáo", "các văn bản hướng dẫn", "các chính sách hỗ trợ", "công tác thông tin, tuyên truyền",
         "kinh phí thực hiện", "hạ tầng thiết yếu", "quy chế phối hợp", "kết quả đạt được", "lộ trình thực hiện",
         "điều kiện thực tế", "nhu cầu của nhân dân", "mục tiêu đề ra", "cơ chế đặc thù"]
G_ADV = ["trong thời gian tới", "theo đúng quy định của pháp luật", "bảo đảm tiến độ", "trên địa bàn {place}",
         "ngay từ đầu năm", "một cách đồng bộ, hiệu quả", "để người dân sớm được thụ hưởng",
         "phù hợp với điều kiện thực tế của địa phương", "trong những tháng cuối năm", "tại {commune}",
         "theo kế hoạch đề ra", "gắn với trách nhiệm của từng cá nhân", "không để kéo dài", "từ cơ sở",
         "với tinh thần trách nhiệm cao", "đúng thời gian quy định"]
G_OPEN = ["Theo báo cáo,", "Qua khảo sát cho thấy,", "Bên cạnh đó,", "Tuy nhiên,", "Thời gian qua,",
          "Đến nay,", "Ngoài ra,", "Cũng tại buổi làm việc,", "Phát biểu kết luận,", "Trong năm,",
          "Thực hiện chỉ đạo của tỉnh,", "Tính đến thời điểm hiện tại,"]
G_STAT = [("hỗ trợ", ["hộ gia đình", "hộ nghèo", "tỷ đồng", "tấn gạo", "con giống"]),
          ("xây dựng", ["công trình", "nhà văn hóa", "phòng học", "km đường bê tông", "nhà ở"]),
          ("trồng mới", ["ha rừng", "ha chè", "ha mắc ca", "ha cây ăn quả"]),
          ("cấp", ["giấy chứng nhận", "thẻ bảo hiểm y tế", "giấy phép"]),
          ("đào tạo nghề cho", ["lao động"]), ("tiếp nhận", ["hồ sơ", "đơn thư", "lượt công dân"]),
          ("tiêm phòng cho", ["con gia súc", "trẻ em"]), ("sửa chữa", ["công trình", "km kênh mương", "phòng học"])]
G_STATE = ["cơ bản hoàn thành", "đạt kết quả tích cực", "còn chậm so với kế hoạch", "đạt và vượt chỉ tiêu",
           "có chuyển biến rõ nét", "còn gặp nhiều khó khăn", "được triển khai đồng bộ", "chưa đáp ứng yêu cầu"]
G_THING = ["Công tác chỉ đạo, điều hành", "Việc triển khai thực hiện", "Công tác phối hợp giữa các ngành",
           "Tiến độ thực hiện các dự án", "Việc huy động nguồn lực", "Công tác tuyên truyền, vận động",
           "Đời sống của nhân dân", "Hạ tầng thiết yếu", "Chất lượng hoạt động của bộ máy",
           "Công tác quản lý nhà nước", "Việc thực hiện các chỉ tiêu"]
G_CAUSE = ["địa hình chia cắt", "nguồn vốn hạn hẹp", "thời tiết diễn biến phức tạp",
           "trình độ dân trí còn hạn chế", "đội ngũ cán bộ còn thiếu", "giá vật liệu tăng cao",
           "một số văn bản hướng dẫn chưa kịp thời", "nhận thức của một bộ phận người dân"]

# Sentences of a category's domain (the words readers search for).
CAT_SENT = {
    "ky-hop-hdnd": ["Tại kỳ họp, các đại biểu tập trung thảo luận, cho ý kiến vào các báo cáo, tờ trình và dự thảo nghị quyết.",
                    "Kỳ họp đã dành thời gian cho phiên chất vấn và trả lời chất vấn.",
                    "Các vị đại biểu HĐND tỉnh đã biểu quyết thông qua nghị quyết với tỷ lệ tán thành cao.",
                    "Phát biểu bế mạc kỳ họp, đồng chí Chủ tịch HĐND tỉnh đề nghị các cấp, các ngành sớm đưa nghị quyết vào cuộc sống.",
                    "Kỳ họp được truyền hình, phát thanh trực tiếp để nhân dân theo dõi."],
    "tiep-xuc-cu-tri": ["Tại buổi tiếp xúc, cử tri đã nêu nhiều ý kiến, kiến nghị thiết thực.",
                        "Thay mặt tổ đại biểu, đồng chí đại biểu HĐND tỉnh tiếp thu, giải trình các ý kiến của cử tri.",
                        "Các ý kiến, kiến nghị của cử tri sẽ được tổng hợp, chuyển đến cơ quan có thẩm quyền xem xét, giải quyết.",
                        "Cử tri bày tỏ phấn khởi trước những kết quả đạt được của địa phương."],
    "y-kien-cu-tri": ["Cử tri kiến nghị các cấp có thẩm quyền quan tâm, xem xét giải quyết.",
                      "Nhiều cử tri phản ánh tình trạng này đã kéo dài nhiều năm.",
                      "Ý kiến cử tri được tổng hợp gửi đến kỳ họp HĐND tỉnh."],
    "tra-loi-kien-nghi": ["Về kiến nghị của cử tri, cơ quan chuyên môn trả lời như sau.",
                          "Kiến nghị của cử tri đã được tiếp thu và đưa vào kế hoạch thực hiện."],
    "hoat-dong-giam-sat": ["Đoàn giám sát đã đi kiểm tra thực tế tại một số công trình, dự án.",
                           "Qua giám sát cho thấy, bên cạnh những kết quả đạt được vẫn còn một số tồn tại, hạn chế.",
                           "Kết thúc đợt giám sát, đoàn sẽ tổng hợp báo cáo Thường trực HĐND tỉnh."],
    "thuong-truc-hdnd": ["Thường trực HĐND tỉnh ghi nhận những kết quả đạt được của địa phương.",
                         "Phiên họp cũng cho ý kiến về các nội dung trình HĐND tỉnh.",
                         "Tham dự phiên làm việc có lãnh đạo các Ban HĐND tỉnh và Văn phòng Đoàn ĐBQH và HĐND tỉnh."],
    "hdnd-cap-huyen-xa": ["HĐND huyện đã xem xét, thông qua các nghị quyết quan trọng của địa phương.",
                          "Đại biểu HĐND huyện đã thảo luận sôi nổi, đóng góp nhiều ý kiến tâm huyết."],
    "nghi-quyet-hdnd": ["Nghị quyết có hiệu lực kể từ ngày được HĐND tỉnh thông qua.",
                        "UBND tỉnh có trách nhiệm tổ chức triển khai thực hiện nghị quyết.",
                        "Thường trực HĐND, các Ban HĐND và đại biểu HĐND tỉnh giám sát việc thực hiện nghị quyết."],
}

# Categories whose articles keep to some topics (keywords of the topic titles).
CAT_TOPICS = {
    "giao-duc": ["giáo dục", "đào tạo nghề", "chuyển đổi số", "văn hóa"],
    "y-te": ["khám chữa bệnh", "tiêm chủng", "an toàn thực phẩm", "ma túy", "nước sạch"],
    "nong-nghiep-nong-thon": ["nông thôn mới", "mắc ca", "chè", "rừng", "chăn nuôi", "hợp tác xã", "kênh mương",
                              "nước sạch", "giảm nghèo"],
    "giao-thong-xay-dung": ["giải phóng mặt bằng", "vốn đầu tư công", "kênh mương", "thủy điện", "nhà ở"],
    "van-hoa-du-lich": ["du lịch", "văn hóa"],
    "chi-bo-co-quan": ["cán bộ", "tham nhũng", "cải cách hành chính", "chuyển đổi số"],
}

PLACE_SENT = ["{Place} hiện có {n1} xã, thị trấn với trên {n2} nghìn nhân khẩu.",
              "{Commune} có {n3} thôn, bản với {n4} hộ dân, chủ yếu là đồng bào dân tộc thiểu số.",
              "Là địa bàn đặc biệt khó khăn, {commune} còn nhiều hạn chế về hạ tầng giao thông.",
              "Lãnh đạo {place} cho biết địa phương đã chủ động vào cuộc từ sớm."]


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------

# Words that keep their capital inside a sentence (titles, bodies, names).
KEEP_CAPITAL = ("Giám đốc", "Chủ tịch", "Phó Chủ tịch", "Bí thư", "Trưởng", "Thường trực", "Sở ",
                "Đoàn", "Ban ", "Đảng", "Chi bộ", "Kỳ họp", "Ủy ban", "Văn phòng", "Kho bạc", "Cục", "Công an",
                "Tòa án", "Thanh tra", "Ngân hàng", "Bộ ", "Nghị quyết số", "Kế hoạch số", "Thông báo số", "Đại diện")


SLUG_MAX = 100


def slugify(text):
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(text) > SLUG_MAX:  # cut at the last dash that fits, as Bantin does
        cut = text[:SLUG_MAX + 1].rfind("-")
        text = text[:cut] if cut > 0 else text[:SLUG_MAX]
    return text


def cap(s):
    return s[:1].upper() + s[1:]


def lower_first(s):
    """Lower the first letter for use inside a sentence, unless it starts a name or acronym."""
    if len(s) > 1 and s[1].isupper() or s.startswith(KEEP_CAPITAL):
        return s
    return s[:1].lower() + s[1:]


def copy_escape(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Zipf:
    """Draw items with weight 1/rank^s (rank in the order given)."""

    def __init__(self, rng, items, s=1.0):
        self.rng = rng
        self.items = list(items)
        total, self.cum = 0.0, []
        for i in range(len(self.items)):
            total += 1.0 / (i + 1) ** s
            self.cum.append(total)

    def __call__(self):
        return self.items[bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])]


def new_uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def roman(n):
    return {14: "XIV", 15: "XV", 16: "XVI"}[n]


ARTICLE_COLUMNS = ("id, slug, title, summary, body, body_text, status, published_at, category_id, author_id, "
                   "editor_id, view_count, version, created_at, updated_at")


# ---------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------

class Dataset:
    def __init__(self, seed, years, admin_email):
        self.rng = rng = random.Random(seed)
        self.now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self.years = years
        self.admin_email = admin_email

        self.districts = []
        self.d_cum, t = [], 0
        for name, kind, communes, weight in PLACES:
            self.districts.append((name if kind == "thành phố" else f"huyện {name}", communes))
            t += weight
            self.d_cum.append(t)

        self.subj, self.verb, self.actor = Zipf(rng, G_SUBJ, 1.0), Zipf(rng, G_VERB, 0.8), Zipf(rng, G_ACTOR, 0.8)
        self.act, self.do, self.obj = Zipf(rng, G_ACT, 0.7), Zipf(rng, G_DO, 0.9), Zipf(rng, G_OBJ, 1.0)
        self.adv, self.opener = Zipf(rng, G_ADV, 0.9), Zipf(rng, G_OPEN, 0.8)
        self.stat, self.state = Zipf(rng, G_STAT, 0.8), Zipf(rng, G_STATE, 0.9)
        self.thing, self.dept = Zipf(rng, G_THING, 0.9), Zipf(rng, DEPTS, 0.9)

        # Sentence pools with their UTF-8 sizes: generic ones per district, topic ones per
        # (topic, district), so the places named in a body are the article's own.
        self.generic = []
        for place, communes in self.districts:
            pool = [self.generic_sentence(place, rng.choice(communes)) for _ in range(2500)]
            self.generic.append([(x, len(x.encode())) for x in pool])
        self.topic_pool = {}
        for ti, (_, terms) in enumerate(TOPICS):
            tz = Zipf(rng, terms, 0.6)
            for di, (place, communes) in enumerate(self.districts):
                pool = [self.topic_sentence(tz(), place, rng.choice(communes)) for _ in range(150)]
                self.topic_pool[ti, di] = [(x, len(x.encode())) for x in pool]
        self.cat_pool = {k: [(x, len(x.encode())) for x in v] for k, v in CAT_SENT.items()}

        self.topic_cum, t = [], 0.0
        for i in range(len(TOPICS)):
            t += 1.0 / (i + 1) ** 0.4
            self.topic_cum.append(t)

        # categories
        self.cats, by_slug, positions = [], {}, {}
        for slug, name, desc, parent, weight, templates in CATEGORIES:
            cid = new_uuid(rng)
            pos = positions.get(parent, 0)
            positions[parent] = pos + 1
            path = (by_slug[parent]["path"] if parent else []) + [{"id": cid, "slug": slug, "name": name}]
            c = {"id": cid, "slug": slug, "name": name, "desc": desc, "parent": by_slug[parent]["id"] if parent else None,
                 "pos": pos, "path": path, "weight": weight, "templates": templates, "kind": path[0]["slug"]}
            c["tpl"] = [t.lstrip("~") for t in templates]
            c["tpl_cum"], t = [], 0.0
            for tpl in templates:
                t += 0.2 if tpl.startswith("~") else 1.0
                c["tpl_cum"].append(t)
            keys = CAT_TOPICS.get(slug)
            c["topics"] = [i for i, (t, _) in enumerate(TOPICS) if keys is None or any(k in t for k in keys)]
            c["topic_cum"] = [self.topic_cum[i] - (self.topic_cum[i - 1] if i else 0) for i in c["topics"]]
            for j in range(1, len(c["topic_cum"])):
                c["topic_cum"][j] += c["topic_cum"][j - 1]
            self.cats.append(c)
            by_slug[slug] = c
        self.leaf = [c for c in self.cats if c["weight"] > 0]
        self.leaf_cum, t = [], 0
        for c in self.leaf:
            t += c["weight"]
            self.leaf_cum.append(t)

        # reporters and editors
        self.users = [(new_uuid(rng), f"phongvien{i + 1}@bench.local", name, "editor" if i < 3 else "author")
                      for i, name in enumerate(REPORTERS[:8])]
        self.editors = [u[0] for u in self.users if u[3] == "editor"]
        self.slugs = set()

    # -- sentences ----------------------------------------------------------------------
    def fill(self, s, place, commune):
        return (s.replace("{place}", place).replace("{Place}", cap(place)).replace("{commune}", commune)
                 .replace("{dept}", self.dept()))

    def generic_sentence(self, place, commune):
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            s = f"{self.subj()} {self.verb()} {self.actor()} {self.act()} {self.do()} {self.obj()} {self.adv()}."
            if rng.random() < 0.3:
                s = f"{self.opener()} {lower_first(s)}"
        elif r < 0.7:
            verb, units = self.stat()
            s = (f"{self.opener()} toàn {place} đã {verb} {rng.randint(2, 980)} {rng.choice(units)}, đạt "
                 f"{rng.randint(45, 130)}% kế hoạch, {'tăng' if rng.random() < 0.7 else 'giảm'} "
                 f"{rng.randint(2, 40)}% so với năm trước.")
        elif r < 0.87:
            s = f"{self.thing()} {self.state()}."
        else:
            a, b = rng.sample(G_CAUSE, 2)
            s = f"Nguyên nhân chủ yếu là do {a} và {b}."
        return self.fill(s, place, commune)

    def topic_sentence(self, term, place, commune):
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            s = f"{self.subj()} {self.verb()} {self.actor()} {self.act()} {self.do()} {term} {self.adv()}."
        elif r < 0.55:
            s = f"Về {term}, {self.actor()} đã {self.do()} {self.obj()}, {self.state()}."
        elif r < 0.75:
            s = f"{cap(term)} trên địa bàn {place} {self.state()}."
        elif r < 0.9:
            s = f"Liên quan đến {term}, {lower_first(self.subj())} {self.verb()} {self.actor()} {self.act()} {self.do()} {self.obj()}."
        else:
            s = f"{self.opener()} {term} tại {commune} {self.state()}, nguyên nhân do {rng.choice(G_CAUSE)}."
        return self.fill(s, place, commune)

    # -- rows ---------------------------------------------------------------------------
    def meta_sql(self):
        """Categories and reporters, as a psql script."""
        ts = (self.now - dt.timedelta(days=int(365.25 * self.years) + 30)).isoformat()
        out = ["COPY categories (id, slug, name, description, parent_id, position, path, created_at, updated_at) FROM stdin;\n"]
        for c in self.cats:
            out.append("\t".join([c["id"], c["slug"], c["name"], copy_escape(c["desc"]), c["parent"] or "\\N",
                                  str(c["pos"]), copy_escape(json.dumps(c["path"], ensure_ascii=False)), ts, ts]) + "\n")
        out.append("\\.\n")
        out.append("CREATE TEMP TABLE bench_users (id uuid, email text, display_name text, role text);\n"
                   "COPY bench_users FROM stdin;\n")
        out.extend("\t".join(u) + "\n" for u in self.users)
        out.append("\\.\n")
        email = self.admin_email.replace("'", "''")
        out.append("INSERT INTO users (id, email, display_name, role, password_hash)\n"
                   "SELECT b.id, b.email, b.display_name, b.role, a.password_hash FROM bench_users b,\n"
                   f"  (SELECT password_hash FROM users WHERE lower(email) = lower('{email}')) a;\n"
                   "DO $$ BEGIN IF NOT EXISTS (SELECT FROM users WHERE email LIKE 'phongvien%@bench.local') THEN\n"
                   f"  RAISE EXCEPTION 'dataset: no user {email} to copy a password hash from'; END IF; END $$;\n")
        return "".join(out)

    def article(self):
        """One article as a COPY text line."""
        rng = self.rng
        published = self.now - dt.timedelta(seconds=rng.randint(3600, int(365.25 * 86400 * self.years)))
        year, month = published.year, published.month
        if published >= dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc):
            k, start = 16, 2026.5
        elif published >= dt.datetime(2021, 6, 1, tzinfo=dt.timezone.utc):
            k, start = 15, 2021.5
        else:
            k, start = 14, 2016.5
        n = max(1, int((year + (month - 1) / 12 - start) * 4) + 1)  # about four sessions a year
        cat = self.leaf[bisect.bisect_left(self.leaf_cum, rng.random() * self.leaf_cum[-1])]
        # Draw the title until it is new (a template with few combinations falls back on the
        # category's others); append a number only when that keeps failing.
        for attempt in range(20):
            ti = cat["topics"][bisect.bisect_left(cat["topic_cum"], rng.random() * cat["topic_cum"][-1])]
            di = bisect.bisect_left(self.d_cum, rng.random() * self.d_cum[-1])
            place, communes = self.districts[di]
            commune = rng.choice(communes)
            where = place if rng.random() < 0.5 else f"{commune}, {place}"
            dept = self.dept()
            topic = rng.choice([TOPICS[ti][0]] + TOPIC_TITLES[TOPICS[ti][0]]).replace("{year}", str(year))
            fields = {
                "topic": topic, "place": place, "Place": cap(place), "commune": commune, "Commune": cap(commune),
                "where": where, "Where": cap(where), "ban": rng.choice(BANS), "dept": dept, "n": n, "k": roman(k),
                "month": month, "year": year, "quarter": ["I", "II", "III", "IV"][(month - 1) // 3],
                "num": rng.randint(1, 180), "nq": rng.randint(12, 38), "verb_inspect": rng.choice(VERB_INSPECT),
                "verb_work": rng.choice(VERB_WORK), "verb_push": rng.choice(VERB_PUSH),
                "body": rng.choice(BODIES).format(place=place, dept=dept),
            }
            tpl = cat["tpl"][bisect.bisect_left(cat["tpl_cum"], rng.random() * cat["tpl_cum"][-1])]
            title = cap(tpl.format(**fields))
            base = slug = slugify(title)
            if slug not in self.slugs:
                break
        i = 1
        while slug in self.slugs:  # -2, -3, ... the base shortened to fit, as Bantin does
            i += 1
            slug = base[:SLUG_MAX - len(f"-{i}")].rstrip("-") + f"-{i}"
        self.slugs.add(slug)

        day = f"{published.day}/{month}/{year}"
        when = rng.choice(("Ngày", "Sáng", "Chiều", "Sáng ngày", "Chiều ngày"))
        if cat["kind"] == "van-ban":
            intro = f"Ngày {day}, Văn phòng Đoàn ĐBQH và HĐND tỉnh đăng tải {lower_first(title)}."
        elif cat["kind"] == "chinh-sach-phap-luat":
            intro = f"Ngày {day}, chuyên mục giới thiệu tới bạn đọc: {lower_first(title)}."
        else:
            intro = f"{when} {day}, {lower_first(title)}. Tham dự có lãnh đạo các sở, ngành và {place}."
        tpool, gpool = self.topic_pool[ti, di], self.generic[di]
        summary = intro if rng.random() < 0.5 else intro + " " + tpool[rng.randrange(len(tpool))][0]
        reporter = rng.choice(REPORTERS)
        tail = f'<p style="text-align: right;"><strong>{reporter}</strong></p>'
        cpool = self.cat_pool.get(cat["slug"])
        target = rng.randint(3000, 5000)
        size = len(intro.encode()) + len(tail.encode()) + 7
        paragraphs, para, para_len = [], [intro], rng.randint(3, 6)
        while size < target:
            r = rng.random()
            if r < 0.30:
                s, b = tpool[rng.randrange(len(tpool))]
            elif r < 0.36 and cpool:
                s, b = cpool[rng.randrange(len(cpool))]
            elif r < 0.38:
                s = rng.choice(PLACE_SENT).format(
                    place=place, Place=cap(place), commune=commune, Commune=cap(commune), n1=rng.randint(8, 22),
                    n2=rng.randint(20, 130), n3=rng.randint(6, 30), n4=rng.randint(300, 2500))
                b = len(s.encode())
            else:
                s, b = gpool[rng.randrange(len(gpool))]
            if size + b > 5000 - len(tail):  # keep bodies within 5 KB
                break
            size += b + 1
            para.append(s)
            if len(para) >= para_len:
                paragraphs.append(" ".join(para))
                para, para_len = [], rng.randint(3, 6)
                size += 7
        if para:
            paragraphs.append(" ".join(para))
        body = "<p>" + "</p><p>".join(paragraphs) + "</p>" + tail
        body_text = "\n\n".join(paragraphs) + "\n\n" + reporter

        created = published - dt.timedelta(minutes=rng.randint(10, 600))
        updated = published + dt.timedelta(minutes=rng.randint(0, 120))
        views = int(rng.paretovariate(1.3) * 40)
        return "\t".join([new_uuid(rng), slug, title, copy_escape(summary), copy_escape(body), copy_escape(body_text),
                          "published", published.isoformat(), cat["id"], rng.choice(self.users)[0],
                          rng.choice(self.editors), str(views), "1", created.isoformat(), updated.isoformat()]) + "\n"


def psql(conninfo, *args, **kw):
    return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, *args], check=True, **kw)


def load(ds, n, conninfo, parts):
    """Load straight into the database: categories and reporters first, then the articles
    over `parts` parallel COPY sessions (computing the search vectors costs about a
    millisecond of CPU per article), with the table's secondary indexes dropped during the
    load and rebuilt afterwards from their own definitions."""
    t0 = time.monotonic()
    psql(conninfo, "-1", input=ds.meta_sql(), text=True)
    defs = psql(conninfo, "-At", "-c",
                "SELECT i.indexrelid::regclass, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = 'articles'::regclass AND NOT i.indisunique AND NOT i.indisprimary "
                "AND NOT i.indisexclusion ORDER BY 1", capture_output=True, text=True).stdout.splitlines()
    defs = [d.split("|", 1) for d in defs if d]
    if defs:
        psql(conninfo, "-c", "DROP INDEX " + ", ".join(name for name, _ in defs))
    procs = [subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c",
                               f"COPY articles ({ARTICLE_COLUMNS}) FROM STDIN"], stdin=subprocess.PIPE)
             for _ in range(parts)]
    bufs = [[] for _ in range(parts)]
    for i in range(n):
        p = i % parts
        bufs[p].append(ds.article())
        if len(bufs[p]) >= 64:
            procs[p].stdin.write("".join(bufs[p]).encode())
            bufs[p] = []
        if (i + 1) % 10000 == 0:
            print(f"  {i + 1} articles generated ({time.monotonic() - t0:.0f} s)", file=sys.stderr, flush=True)
    for p, proc in enumerate(procs):
        proc.stdin.write("".join(bufs[p]).encode())
        proc.stdin.close()
    if any(proc.wait() != 0 for proc in procs):
        sys.exit("dataset: COPY failed")
    t1 = time.monotonic()
    print(f"  {n} articles copied in {t1 - t0:.0f} s; rebuilding {len(defs)} indexes", file=sys.stderr, flush=True)
    procs = []
    for j in range(parts):
        sql = "SET maintenance_work_mem = '256MB';\n" + "".join(d + ";\n" for _, d in defs[j::parts])
        procs.append(subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo],
                                      stdin=subprocess.PIPE))
        procs[-1].stdin.write(sql.encode())
        procs[-1].stdin.close()
    if any(proc.wait() != 0 for proc in procs):
        sys.exit("dataset: index rebuild failed")
    print(f"  indexes rebuilt in {time.monotonic() - t1:.0f} s", file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--admin-email", required=True, help="existing admin whose password hash the reporters share")
    ap.add_argument("--years", type=float, default=5.0, help="published_at spread over this many past years")
    ap.add_argument("--conninfo", help="load into this database (psql conninfo) instead of printing a psql script")
    ap.add_argument("--parts", type=int, default=os.cpu_count() or 2, help="parallel COPY sessions with --conninfo")
    args = ap.parse_args()

    ds = Dataset(args.seed, args.years, args.admin_email)
    if args.conninfo:
        try:
            load(ds, args.articles, args.conninfo, max(1, args.parts))
        except subprocess.CalledProcessError as e:
            sys.exit(f"dataset: psql failed ({e.returncode})")
        return
    out = sys.stdout
    out.write("BEGIN;\n" + ds.meta_sql())
    out.write(f"COPY articles ({ARTICLE_COLUMNS}) FROM stdin;\n")
    for _ in range(args.articles):
        out.write(ds.article())
    out.write("\\.\nCOMMIT;\n")


if __name__ == "__main__":
    main()
